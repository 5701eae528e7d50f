"""The words of transfer reports, zh and en: finding messages, labels, names.

Kept apart from report.py (which lays the report out) so translators and
reviewers read one table; every finding code `rules.decide` can produce has
a message in both languages (tests/test_transfer_rules.py checks it).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "route.no_rules": {
        "en": "Pack {pack} states no cross-border transfer rules.",
        "zh": "政策包 {pack} 未规定数据出境规则。",
    },
    "route.not_a_transfer": {
        "en": (
            "The recipient is in {country}, inside the "
            "jurisdiction: not a cross-border transfer."
        ),
        "zh": "接收方位于 {country}，在本法域内，不构成数据出境。",
    },
    "exempt.no_personal_data": {
        "en": (
            "No personal information or important data leaves: no mechanism is needed."
        ),
        "zh": "出境数据不含个人信息或重要数据，无需出境机制。",
    },
    "route.mechanism": {
        "en": "A transfer mechanism is needed: one of {mechanisms}.",
        "zh": "需要具备以下出境机制之一：{mechanisms}。",
    },
    "exempt.not_in_pack": {
        "en": (
            "The registered exemption {exemption} is not one "
            "this pack knows; it is ignored."
        ),
        "zh": "登记的豁免情形 {exemption} 不属于本政策包，已忽略。",
    },
    "recipient.inactive": {
        "en": "The recipient's status is {status}: transfers are stopped.",
        "zh": "接收方状态为 {status}，已停止出境。",
    },
    "agreement.expired": {
        "en": "The agreement with the recipient expired on {expired_on}.",
        "zh": "与接收方的协议已于 {expired_on} 到期。",
    },
    "category.undeclared": {
        "en": "Categories not declared for this recipient would leave: {categories}.",
        "zh": "将出境未向该接收方登记的数据类别：{categories}。",
    },
    "localisation.category": {
        "en": (
            "Categories this deployment keeps in the country would leave: {categories}."
        ),
        "zh": "将出境本部署要求境内存储的数据类别：{categories}。",
    },
    "localisation.sector": {
        "en": "Sector rule ({sector}): {categories} stays in the country.",
        "zh": "行业规则（{sector}）：{categories} 须境内存储。",
    },
    "route.important_data": {
        "en": "Important data ({categories}) always needs a security assessment.",
        "zh": "重要数据（{categories}）出境必须通过安全评估。",
    },
    "exempt.not_for_important_data": {
        "en": "The exemption {exemption} does not cover important data.",
        "zh": "豁免情形 {exemption} 不适用于重要数据。",
    },
    "exempt.purpose": {
        "en": (
            "Exempt: {exemption}; these individuals do not "
            "count towards the thresholds."
        ),
        "zh": "豁免：{exemption}；相关个人不计入累计人数。",
    },
    "exempt.purpose_ciio": {
        "en": (
            "The purpose exemptions apply to critical "
            "information infrastructure operators too."
        ),
        "zh": "上述目的性豁免同样适用于关键信息基础设施运营者。",
    },
    "route.ciio": {
        "en": (
            "A critical information infrastructure operator "
            "needs a security assessment."
        ),
        "zh": "关键信息基础设施运营者向境外提供个人信息须通过安全评估。",
    },
    "route.sensitive_assessment": {
        "en": (
            "Sensitive personal information of {projected} individuals this "
            "year (from {threshold}): security assessment."
        ),
        "zh": (
            "本年度累计敏感个人信息 {projected} 人（达到 {threshold} 人）：须安全评估。"
        ),
    },
    "route.volume_assessment": {
        "en": (
            "Personal information of {projected} individuals this year "
            "(from {threshold}): security assessment."
        ),
        "zh": "本年度累计个人信息 {projected} 人（达到 {threshold} 人）：须安全评估。",
    },
    "route.sensitive_contract": {
        "en": (
            "Sensitive personal information of {projected} individuals this year (no "
            "free allowance): standard contract or certification."
        ),
        "zh": "本年度累计敏感个人信息 {projected} 人（无豁免额度）：须标准合同或认证。",
    },
    "route.volume_contract": {
        "en": (
            "Personal information of {projected} individuals this year (from "
            "{threshold}): standard contract or certification."
        ),
        "zh": (
            "本年度累计个人信息 {projected} 人"
            "（达到 {threshold} 人）：须标准合同或认证。"
        ),
    },
    "exempt.below_threshold": {
        "en": (
            "Exempt: {projected} individuals this year, below "
            "{threshold}, no sensitive personal information."
        ),
        "zh": (
            "豁免：本年度累计 {projected} 人，不满 {threshold} 人，且不含敏感个人信息。"
        ),
    },
    "agreement.missing": {
        "en": "No agreement with the recipient is on file.",
        "zh": "未登记与接收方的协议。",
    },
    "agreement.no_profile": {
        "en": (
            "The agreement sets no de-identification profile: "
            "nothing is exported without one."
        ),
        "zh": "协议未规定去标识化方案，不得导出。",
    },
    "mechanism.missing": {
        "en": "No {mechanisms} is on file for this recipient.",
        "zh": "未登记该接收方的 {mechanisms}。",
    },
    "mechanism.not_yet_effective": {
        "en": "The {mechanism} takes effect only on {effective_on}.",
        "zh": "{mechanism} 自 {effective_on} 起才生效。",
    },
    "mechanism.expired": {
        "en": "The {mechanism} expired on {expired_on}.",
        "zh": "{mechanism} 已于 {expired_on} 失效。",
    },
    "mechanism.not_filed": {
        "en": "The standard contract was not filed by {due_on}.",
        "zh": "标准合同未在 {due_on} 前备案。",
    },
    "mechanism.filing_due": {
        "en": "File the standard contract by {due_on}.",
        "zh": "请于 {due_on} 前完成标准合同备案。",
    },
    "mechanism.filed_late": {
        "en": "The standard contract was filed on {filed_on}, after {due_on}.",
        "zh": "标准合同于 {filed_on} 备案，晚于 {due_on}。",
    },
    "mechanism.renewal_due": {
        "en": (
            "The {mechanism} is valid until {valid_until} "
            "({left} days left): apply to renew."
        ),
        "zh": "{mechanism} 有效期至 {valid_until}（剩余 {left} 天），请申请延续。",
    },
    "mechanism.derogation": {
        "en": "Art. 49 derogations cover occasional transfers only.",
        "zh": "第49条的例外仅适用于偶发性传输。",
    },
    "pia.missing": {
        "en": (
            "No personal-information impact assessment is recorded for this transfer."
        ),
        "zh": "未记录该出境活动的个人信息保护影响评估。",
    },
    "consent.inform_only": {
        "en": (
            "No consent is needed for this purpose, but "
            "individuals must be told of the transfer."
        ),
        "zh": "该目的无需取得同意，但应告知个人出境事项。",
    },
    "consent.missing": {
        "en": "Separate consent of the individuals is not confirmed.",
        "zh": "未确认已取得个人的单独同意。",
    },
    "profile.kept_personal": {
        "en": "Column {column} is kept as is but holds {labels}.",
        "zh": "字段 {column} 原样保留，但含有 {labels}。",
    },
    "profile.default": {
        "en": "No profile in the agreement: assessed as if every finding were masked.",
        "zh": "协议未规定去标识化方案：按全部掩码评估。",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Cross-border transfer assessment", "zh": "数据出境评估报告"},
    "decision": {"en": "Decision", "zh": "结论"},
    "allowed": {"en": "allowed", "zh": "允许"},
    "refused": {"en": "refused", "zh": "拒绝"},
    "exported": {"en": "exported", "zh": "已导出"},
    "recipient": {"en": "Recipient", "zh": "境外接收方"},
    "country": {"en": "Country", "zh": "国家/地区"},
    "purpose": {"en": "Purpose", "zh": "目的"},
    "categories": {"en": "Declared categories", "zh": "登记的数据类别"},
    "pack": {"en": "Policy pack", "zh": "政策包"},
    "date": {"en": "Date", "zh": "日期"},
    "route": {"en": "Required route", "zh": "所需出境路径"},
    "accepted": {"en": "Accepted mechanisms", "zh": "可接受的机制"},
    "satisfied": {"en": "Mechanism on file", "zh": "已具备的机制"},
    "none": {"en": "none", "zh": "无"},
    "counts": {"en": "Counts", "zh": "人数"},
    "findings": {"en": "Findings", "zh": "评估发现"},
    "missing": {"en": "Missing prerequisites", "zh": "缺少的前提条件"},
    "severity": {"en": "Severity", "zh": "级别"},
    "finding": {"en": "Finding", "zh": "内容"},
    "citation": {"en": "Rule", "zh": "依据"},
    "data": {"en": "Data", "zh": "数据"},
    "column": {"en": "Column", "zh": "字段"},
    "found": {"en": "Personal data found", "zh": "发现的个人信息"},
    "profile": {"en": "De-identification profile", "zh": "去标识化方案"},
    "input": {"en": "Input", "zh": "输入"},
    "output": {"en": "Output", "zh": "输出"},
    "counted": {
        "en": "Counts towards the year's thresholds",
        "zh": "计入本年度累计人数",
    },
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "disclaimer": {
        "en": "Generated by complydesk from the policy pack cited above; research, "
        "not legal advice.",
        "zh": "由 complydesk 依据上述政策包生成，仅供参考，不构成法律意见。",
    },
}

COUNT_NAMES: dict[str, dict[str, str]] = {
    "records": {"en": "Records with personal data", "zh": "含个人信息的记录"},
    "individuals": {"en": "Individuals in the dataset", "zh": "数据集中的个人"},
    "sensitive": {
        "en": "… with sensitive personal information",
        "zh": "其中含敏感个人信息",
    },
    "new_individuals": {"en": "New this year", "zh": "本年度新增个人"},
    "new_sensitive": {
        "en": "New this year, sensitive",
        "zh": "本年度新增敏感个人信息主体",
    },
    "prior_individuals": {"en": "Counted this year before", "zh": "本年度此前累计"},
    "prior_sensitive": {"en": "… sensitive, before", "zh": "其中敏感，此前累计"},
    "projected_individuals": {"en": "Total this year", "zh": "本年度累计（含本次）"},
    "projected_sensitive": {
        "en": "Total this year, sensitive",
        "zh": "本年度累计敏感（含本次）",
    },
}

NAMES: dict[str, dict[str, str]] = {
    "security_assessment": {"en": "CAC security assessment", "zh": "数据出境安全评估"},
    "standard_contract": {"en": "standard contract", "zh": "个人信息出境标准合同"},
    "certification": {"en": "certification", "zh": "个人信息保护认证"},
    "standard_contract_or_certification": {
        "en": "standard contract or certification",
        "zh": "标准合同或认证",
    },
    "adequacy_decision": {"en": "adequacy decision", "zh": "充分性认定"},
    "standard_contractual_clauses": {
        "en": "standard contractual clauses",
        "zh": "标准合同条款（SCC）",
    },
    "binding_corporate_rules": {
        "en": "binding corporate rules",
        "zh": "有约束力的公司规则",
    },
    "art49_derogations": {"en": "Art. 49 derogation", "zh": "第49条例外情形"},
    "transfer_mechanism": {"en": "a transfer mechanism", "zh": "出境机制"},
    "exempt": {"en": "exempt", "zh": "豁免"},
    "not_a_transfer": {"en": "not a transfer", "zh": "不构成出境"},
    "no_rules": {"en": "no rules in the pack", "zh": "政策包无规定"},
    "contract_with_individual": {
        "en": "necessary to perform a contract with the individual",
        "zh": "订立、履行个人作为一方当事人的合同所必需",
    },
    "hr_management": {"en": "cross-border HR management", "zh": "跨境人力资源管理"},
    "emergency": {"en": "emergency", "zh": "紧急情况"},
    "block": {"en": "missing", "zh": "缺失"},
    "warn": {"en": "action", "zh": "需处理"},
    "info": {"en": "basis", "zh": "依据"},
}


__all__ = ["COUNT_NAMES", "MESSAGES", "NAMES", "TEXT"]
