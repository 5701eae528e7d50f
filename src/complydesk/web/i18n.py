"""Console strings: Chinese by default, English on request (?lang=en, remembered)."""

from __future__ import annotations

LANGS = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "app": {"zh": "合规客服台", "en": "complydesk"},
    "login": {"zh": "登录", "en": "Sign in"},
    "logout": {"zh": "退出", "en": "Sign out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "bad_login": {"zh": "用户名或密码错误", "en": "Wrong username or password"},
    "home": {"zh": "工作台", "en": "Home"},
    "tickets": {"zh": "工单队列", "en": "Ticket queue"},
    "policy": {"zh": "政策包", "en": "Policy packs"},
    "audit": {"zh": "审计链", "en": "Audit chain"},
    "forbidden": {"zh": "无权访问此页面", "en": "You may not open this page"},
    "role": {"zh": "角色", "en": "Role"},
    "tracking": {"zh": "查询码", "en": "Tracking code"},
    "customer": {"zh": "客户", "en": "Customer"},
    "purpose": {"zh": "目的", "en": "Purpose"},
    "status": {"zh": "状态", "en": "Status"},
    "subject": {"zh": "主题", "en": "Subject"},
    "created": {"zh": "创建时间", "en": "Created"},
    "no_tickets": {"zh": "暂无工单", "en": "No tickets"},
    "key": {"zh": "条目", "en": "Key"},
    "value": {"zh": "取值", "en": "Value"},
    "citation": {"zh": "依据", "en": "Citation"},
    "confidence": {"zh": "可信度", "en": "Confidence"},
    "chain_ok": {"zh": "审计链完整", "en": "Audit chain intact"},
    "chain_broken": {"zh": "审计链被篡改", "en": "Audit chain broken"},
    "entries": {"zh": "条记录", "en": "entries"},
    "recent": {"zh": "最近记录", "en": "Recent entries"},
    "welcome": {"zh": "欢迎", "en": "Welcome"},
    "switch": {"zh": "English", "en": "中文"},
}


def pick_lang(query_lang: str | None, cookie_lang: str | None) -> str:
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGS:
            return candidate
    return "zh"


def translator(lang: str) -> dict[str, str]:
    return {key: texts[lang] for key, texts in STRINGS.items()}


# The agent desk (complydesk.web.agent).
STRINGS.update(
    {
        "agent_desk": {"zh": "坐席工作台", "en": "Agent desk"},
        "agent_queue": {"zh": "工作队列", "en": "Work queue"},
        "agent_filters": {"zh": "筛选", "en": "Filters"},
        "agent_filter_queue": {"zh": "队列", "en": "Queue"},
        "agent_all_queues": {"zh": "全部队列", "en": "All queues"},
        "agent_no_queue": {"zh": "未分配队列", "en": "No queue"},
        "agent_filter_status": {"zh": "状态", "en": "Status"},
        "agent_st_open": {"zh": "未结工单", "en": "Open"},
        "agent_st_all": {"zh": "全部", "en": "All"},
        "agent_mine": {"zh": "只看分配给我的", "en": "Only assigned to me"},
        "agent_apply": {"zh": "筛选", "en": "Filter"},
        "agent_my_open": {
            "zh": "分配给我的未结工单",
            "en": "Open tickets assigned to me",
        },
        "agent_open_count": {"zh": "未结", "en": "open"},
        "agent_urgency": {"zh": "紧急度", "en": "Urgency"},
        "agent_due": {"zh": "最近到期", "en": "Next due"},
        "agent_left": {"zh": "剩余", "en": "left"},
        "agent_overdue": {"zh": "已超时", "en": "overdue"},
        "agent_at_risk": {"zh": "即将超时", "en": "At risk"},
        "agent_breached": {"zh": "已超时", "en": "Breached"},
        "agent_assignee": {"zh": "处理人", "en": "Assignee"},
        "agent_unassigned": {"zh": "未分配", "en": "Unassigned"},
        "agent_level": {"zh": "升级级别", "en": "Escalation level"},
        "agent_shown": {
            "zh": "共 {total} 条，显示 {n} 条",
            "en": "{n} of {total} shown",
        },
        "agent_order_note": {
            "zh": "排序：紧急和即将超时的在前，然后按到期时间。时间均为 UTC。",
            "en": "Order: urgent and SLA-at-risk first, then by due time. "
            "Times in UTC.",
        },
        "agent_bad_status": {
            "zh": "未知的状态筛选，已显示未结工单。",
            "en": "Unknown status filter; showing open tickets.",
        },
        "agent_bad_queue": {
            "zh": "没有这个队列，已显示全部队列。",
            "en": "No such queue; showing all queues.",
        },
        "agent_no_tickets": {"zh": "没有符合条件的工单", "en": "No tickets match"},
        "agent_s_submitted": {"zh": "待受理", "en": "Submitted"},
        "agent_s_accepted": {"zh": "已受理", "en": "Accepted"},
        "agent_s_in_progress": {"zh": "处理中", "en": "In progress"},
        "agent_s_waiting_customer": {"zh": "等待客户", "en": "Waiting for customer"},
        "agent_s_resolved": {"zh": "已解决", "en": "Resolved"},
        "agent_s_closed": {"zh": "已关闭", "en": "Closed"},
        "agent_u_urgent": {"zh": "紧急", "en": "Urgent"},
        "agent_u_high": {"zh": "高", "en": "High"},
        "agent_u_normal": {"zh": "普通", "en": "Normal"},
        "agent_u_low": {"zh": "低", "en": "Low"},
        "agent_p_complaint": {"zh": "投诉", "en": "Complaint"},
        "agent_p_return_refund": {"zh": "退货退款", "en": "Return or refund"},
        "agent_p_repair": {"zh": "维修", "en": "Repair"},
        "agent_p_delivery": {"zh": "物流配送", "en": "Delivery"},
        "agent_p_billing": {"zh": "账单费用", "en": "Billing"},
        "agent_p_inquiry": {"zh": "咨询", "en": "Inquiry"},
        "agent_c_first_response": {"zh": "首次响应", "en": "First response"},
        "agent_c_resolution": {"zh": "解决", "en": "Resolution"},
        "agent_cs_running": {"zh": "计时中", "en": "Running"},
        "agent_cs_at_risk": {"zh": "即将超时", "en": "At risk"},
        "agent_cs_breached": {"zh": "已超时", "en": "Breached"},
        "agent_cs_paused": {"zh": "已暂停", "en": "Paused"},
        "agent_cs_met": {"zh": "已完成", "en": "Met"},
        "agent_m_accepted": {"zh": "受理", "en": "Accept"},
        "agent_m_in_progress": {"zh": "开始处理", "en": "Start work"},
        "agent_m_waiting_customer": {"zh": "等待客户回复", "en": "Wait for customer"},
        "agent_m_resolved": {"zh": "标记已解决", "en": "Resolve"},
        "agent_m_closed": {"zh": "关闭工单", "en": "Close"},
        "agent_m_reopen": {"zh": "重新打开", "en": "Reopen"},
        "agent_back": {"zh": "返回队列", "en": "Back to the queue"},
        "agent_details": {"zh": "工单信息", "en": "Details"},
        "agent_category": {"zh": "产品类别", "en": "Category"},
        "agent_order": {"zh": "订单号", "en": "Order number"},
        "agent_product": {"zh": "产品型号", "en": "Product model"},
        "agent_waybill": {"zh": "运单号", "en": "Waybill"},
        "agent_policy": {"zh": "适用政策包", "en": "Policy pack"},
        "agent_customer_data": {"zh": "客户信息", "en": "Customer data"},
        "agent_ticket_data": {
            "zh": "工单中的个人信息",
            "en": "Personal data on the ticket",
        },
        "agent_masked_note": {
            "zh": "个人信息默认脱敏显示。查看明文须填写理由，每次查看都记入审计日志。",
            "en": "Personal data is masked. Revealing it needs a reason and every "
            "reveal is written to the audit log.",
        },
        "agent_reveal": {"zh": "查看明文", "en": "Reveal"},
        "agent_reveal_reason": {
            "zh": "查看理由（至少 {n} 个字）",
            "en": "Reason (at least {n} characters)",
        },
        "agent_reveal_fields": {"zh": "要查看的字段", "en": "Fields to reveal"},
        "agent_reveal_needs": {
            "zh": "查看明文需要 pii.unmask 权限（合规专员）。",
            "en": "Revealing needs the pii.unmask permission (compliance officer).",
        },
        "agent_revealed": {
            "zh": "明文（仅本次显示，离开或刷新页面后不再显示）",
            "en": "Plaintext (shown once; gone when you leave or reload)",
        },
        "agent_f_name": {"zh": "姓名", "en": "Name"},
        "agent_f_phone": {"zh": "电话", "en": "Phone"},
        "agent_f_email": {"zh": "邮箱", "en": "Email"},
        "agent_f_id_number": {"zh": "证件号", "en": "ID number"},
        "agent_f_address": {"zh": "地址", "en": "Address"},
        "agent_f_description": {"zh": "问题描述", "en": "Description"},
        "agent_f_contact_phone": {"zh": "联系电话", "en": "Contact phone"},
        "agent_f_reason": {"zh": "原因", "en": "Reason"},
        "agent_f_contact_email": {"zh": "联系邮箱", "en": "Contact email"},
        "agent_f_delivery_address": {"zh": "收货地址", "en": "Delivery address"},
        "agent_triage": {"zh": "分诊建议", "en": "Triage"},
        "agent_clocks": {"zh": "SLA 时钟", "en": "SLA clocks"},
        "agent_no_clocks": {"zh": "此工单没有 SLA 时钟", "en": "No SLA clocks"},
        "agent_timeline": {"zh": "时间线", "en": "Timeline"},
        "agent_vis_customer": {"zh": "客户可见", "en": "Customer sees this"},
        "agent_vis_internal": {"zh": "仅内部", "en": "Internal only"},
        "agent_k_created": {"zh": "创建工单", "en": "Created"},
        "agent_k_status": {"zh": "状态变更", "en": "Status change"},
        "agent_k_reopen": {"zh": "重新打开", "en": "Reopened"},
        "agent_k_reply": {"zh": "答复客户", "en": "Reply"},
        "agent_k_note": {"zh": "内部备注", "en": "Internal note"},
        "agent_k_assign": {"zh": "分派", "en": "Routing"},
        "agent_k_escalate": {"zh": "升级", "en": "Escalation"},
        "agent_no_events": {"zh": "暂无记录", "en": "Nothing yet"},
        "agent_actions": {"zh": "状态操作", "en": "Status"},
        "agent_no_moves": {
            "zh": "当前状态下没有可执行的操作",
            "en": "No status change possible",
        },
        "agent_escalate": {"zh": "升级工单", "en": "Escalate"},
        "agent_escalate_reason": {
            "zh": "升级原因（作为内部备注保存，可选）",
            "en": "Reason (kept as an internal note, optional)",
        },
        "agent_assign": {"zh": "分派", "en": "Routing"},
        "agent_keep": {"zh": "不变", "en": "Keep"},
        "agent_clear": {"zh": "清除", "en": "Clear"},
        "agent_save": {"zh": "保存", "en": "Save"},
        "agent_reply": {"zh": "答复客户", "en": "Reply to the customer"},
        "agent_reply_text": {"zh": "答复内容", "en": "Reply"},
        "agent_reply_hint": {
            "zh": "输入时自动检查话术合规，问题会在下方标出并给出建议。",
            "en": "Checked as you type; findings are marked below with suggestions.",
        },
        "agent_send": {"zh": "发送答复", "en": "Send reply"},
        "agent_note": {"zh": "内部备注", "en": "Internal note"},
        "agent_note_text": {
            "zh": "备注内容（客户不可见）",
            "en": "Note (never shown to the customer)",
        },
        "agent_add_note": {"zh": "添加备注", "en": "Add note"},
        "agent_check_title": {"zh": "话术检查", "en": "Compliance check"},
        "agent_check_pass": {"zh": "未发现问题", "en": "No findings"},
        "agent_check_warn": {
            "zh": "有提醒：可以发送，但请留意",
            "en": "Warnings: may be sent",
        },
        "agent_check_block": {
            "zh": "含违规话术：发送会被拦截",
            "en": "Blocking finding: sending will be stopped",
        },
        "agent_checking": {"zh": "正在检查…", "en": "Checking…"},
        "agent_check_failed": {
            "zh": "暂时无法检查，发送时仍会检查",
            "en": "Check unavailable; sending still checks",
        },
        "agent_reason": {"zh": "原因", "en": "Why"},
        "agent_suggestion": {"zh": "建议改写", "en": "Suggested rewrite"},
        "agent_use_suggestion": {"zh": "采用建议", "en": "Use suggestion"},
        "agent_sev_block": {"zh": "拦截", "en": "Block"},
        "agent_sev_warn": {"zh": "提醒", "en": "Warning"},
        "agent_blocked_title": {
            "zh": "答复被拦截，未发送",
            "en": "Reply blocked, not sent",
        },
        "agent_override": {"zh": "主管放行", "en": "Supervisor override"},
        "agent_override_reason": {
            "zh": "放行理由（至少 {n} 个字，记入审计）",
            "en": "Override reason (at least {n} characters, audited)",
        },
        "agent_override_send": {"zh": "仍然发送", "en": "Send anyway"},
        "agent_override_only": {
            "zh": "只有主管可以放行被拦截的答复。请按建议修改后重新发送。",
            "en": "Only a supervisor can override a block. Revise the reply "
            "using the suggestions and send again.",
        },
        "agent_done_status": {"zh": "状态已更新", "en": "Status changed"},
        "agent_done_nothing": {"zh": "没有变化", "en": "Nothing changed"},
        "agent_done_assign": {"zh": "已分派", "en": "Routing saved"},
        "agent_done_escalate": {"zh": "工单已升级", "en": "Ticket escalated"},
        "agent_done_note": {"zh": "备注已添加", "en": "Note added"},
        "agent_done_reply": {"zh": "答复已发送", "en": "Reply sent"},
        "agent_done_override": {
            "zh": "答复已由主管放行并发送（已记入审计）",
            "en": "Reply sent under a supervisor override (audited)",
        },
        "agent_done_reveal": {
            "zh": "已显示明文，本次查看已记入审计日志",
            "en": "Plaintext shown; this reveal is in the audit log",
        },
        "agent_warnings": {"zh": "已发送，但有提醒", "en": "Sent, with warnings"},
        "agent_csrf_failed": {
            "zh": "表单已过期，请刷新页面后重试",
            "en": "The form has expired; reload the page and try again",
        },
        "agent_override_denied": {
            "zh": "你无权放行被拦截的答复（此次尝试已记入审计）",
            "en": "You may not override a blocked reply (this attempt is audited)",
        },
        "agent_error": {"zh": "操作未完成", "en": "Not done"},
        "agent_not_found": {"zh": "工单不存在", "en": "No such ticket"},
        "agent_overridden_by": {"zh": "放行人", "en": "Overridden by"},
        "agent_verdict": {"zh": "检查结果", "en": "Check"},
    }
)


# The compliance dashboard (complydesk.web.dashboard) and the customer chat
# widget (complydesk.web.chat).
STRINGS.update(
    {
        "dash_title": {"zh": "合规看板", "en": "Compliance dashboard"},
        "dash_as_of": {"zh": "数据截至", "en": "As of"},
        "dash_sections": {"zh": "看板分区", "en": "Dashboard sections"},
        "dash_tile_dsr": {"zh": "逾期的权利申请", "en": "Overdue rights requests"},
        "dash_tile_breach": {"zh": "待发出的泄露通知", "en": "Breach notices owed"},
        "dash_tile_sla": {"zh": "SLA 已超时工单", "en": "Tickets past SLA"},
        "dash_tile_speech": {"zh": "话术违规", "en": "Speech violations"},
        "dash_tile_fairness": {"zh": "公平性预警", "en": "Fairness alerts"},
        "dash_tile_transfer": {"zh": "出境传输待处理", "en": "Transfer issues"},
        "dash_tile_audit": {"zh": "审计链", "en": "Audit chain"},
        "dash_dsr": {
            "zh": "数据主体权利申请（按期限）",
            "en": "Data-subject requests by deadline",
        },
        "dash_ref": {"zh": "编号", "en": "Reference"},
        "dash_type": {"zh": "类型", "en": "Type"},
        "dash_pack": {"zh": "政策包", "en": "Pack"},
        "dash_state": {"zh": "状态", "en": "State"},
        "dash_due": {"zh": "截止时间", "en": "Due"},
        "dash_left": {"zh": "剩余时间", "en": "Time left"},
        "dash_received": {"zh": "收到时间", "en": "Received"},
        "dash_overdue": {"zh": "已逾期", "en": "Overdue"},
        "dash_none": {"zh": "暂无", "en": "None"},
        "dash_total": {"zh": "合计", "en": "Total"},
        "dash_more": {"zh": "仅显示前 {n} 条", "en": "Showing the first {n}"},
        "dash_b_overdue": {"zh": "已逾期", "en": "Overdue"},
        "dash_b_d3": {"zh": "3 天内到期", "en": "Due within 3 days"},
        "dash_b_d7": {"zh": "7 天内到期", "en": "Due within 7 days"},
        "dash_b_d30": {"zh": "30 天内到期", "en": "Due within 30 days"},
        "dash_b_later": {"zh": "更晚到期", "en": "Due later"},
        "dash_b_paused": {
            "zh": "暂停（待验证身份）",
            "en": "Paused (identity check)",
        },
        "dash_breach": {"zh": "数据泄露通知时钟", "en": "Breach notice clocks"},
        "dash_jurisdiction": {"zh": "法域", "en": "Jurisdiction"},
        "dash_obligation": {"zh": "通知义务", "en": "Obligation"},
        "dash_elapsed": {"zh": "时限已用", "en": "Window used"},
        "dash_aware": {"zh": "知悉时间", "en": "Aware at"},
        "dash_affected": {"zh": "受影响人数", "en": "Affected"},
        "dash_risk": {"zh": "风险", "en": "Risk"},
        "dash_no_deadline": {
            "zh": "无固定时限（立即）",
            "en": "No fixed deadline (without delay)",
        },
        "dash_sla": {"zh": "SLA 超时与风险", "en": "SLA breaches and risks"},
        "dash_sla_breached": {"zh": "已超时", "en": "Breached"},
        "dash_sla_at_risk": {"zh": "有风险", "en": "At risk"},
        "dash_clock": {"zh": "时钟", "en": "Clock"},
        "dash_urgency": {"zh": "紧急度", "en": "Urgency"},
        "dash_speech": {
            "zh": "话术违规（按规则、按坐席）",
            "en": "Speech violations by rule and agent",
        },
        "dash_window": {"zh": "统计区间", "en": "Window"},
        "dash_days": {"zh": "最近 {n} 天", "en": "Last {n} days"},
        "dash_rule": {"zh": "规则", "en": "Rule"},
        "dash_agent": {"zh": "坐席", "en": "Agent"},
        "dash_warn": {"zh": "警告", "en": "Warned"},
        "dash_block": {"zh": "拦截", "en": "Blocked"},
        "dash_override": {"zh": "主管放行", "en": "Overridden"},
        "dash_by_rule": {"zh": "按规则", "en": "By rule"},
        "dash_by_agent": {"zh": "按坐席", "en": "By agent"},
        "dash_fairness": {
            "zh": "自动化决策公平性",
            "en": "Fairness of automated decisions",
        },
        "dash_by": {"zh": "分组维度", "en": "Group by"},
        "dash_show": {"zh": "显示", "en": "Show"},
        "dash_fair_note": {
            "zh": "红色虚线 = {ratio} × 最高有利结果比例（{citation}）；"
            "少于 {n} 个决定的分组只报告不预警。预警是筛查信号，不是法律结论。",
            "en": "Dashed red line = {ratio} × the highest favourable rate "
            "({citation}); groups under {n} decisions are reported, never flagged. "
            "A flag is a screening signal, not a legal finding.",
        },
        "dash_decisions": {"zh": "个决定", "en": "decisions"},
        "dash_group": {"zh": "分组", "en": "Group"},
        "dash_rate": {"zh": "有利结果比例", "en": "Favourable rate"},
        "dash_ci": {"zh": "置信区间", "en": "Interval"},
        "dash_ratio": {"zh": "与参照组之比", "en": "Ratio to reference"},
        "dash_flag": {"zh": "预警", "en": "Flag"},
        "dash_small": {"zh": "样本小", "en": "small group"},
        "dash_alerts": {"zh": "预警", "en": "Alerts"},
        "dash_no_decisions": {
            "zh": "暂无带分组信息的自动化决策。",
            "en": "No automated decisions with audit groups yet.",
        },
        "dash_transfer": {
            "zh": "跨境传输登记与评估",
            "en": "Cross-border transfer register and assessments",
        },
        "dash_recipient": {"zh": "接收方", "en": "Recipient"},
        "dash_country": {"zh": "国家/地区", "en": "Country"},
        "dash_expires": {"zh": "协议到期", "en": "Agreement expires"},
        "dash_check": {"zh": "当前检查", "en": "Check today"},
        "dash_allowed": {"zh": "允许", "en": "Allowed"},
        "dash_blocked": {"zh": "阻止", "en": "Blocked"},
        "dash_expiring": {"zh": "{n} 天内到期", "en": "Expires within {n} days"},
        "dash_expired": {"zh": "已到期", "en": "Expired"},
        "dash_days_left": {"zh": "剩 {n} 天", "en": "{n} days left"},
        "dash_assessments": {"zh": "最近的评估", "en": "Recent assessments"},
        "dash_kind": {"zh": "类别", "en": "Kind"},
        "dash_route": {"zh": "路径", "en": "Route"},
        "dash_individuals": {"zh": "人数", "en": "Individuals"},
        "dash_decided": {"zh": "评估时间", "en": "Decided"},
        "dash_audit": {"zh": "审计链状态", "en": "Audit chain status"},
        "dash_head": {"zh": "链头序号", "en": "Head seq"},
        "dash_open_audit": {"zh": "查看审计记录", "en": "Open the audit page"},
        "chat_title": {"zh": "在线客服", "en": "Customer chat"},
        "chat_intro": {
            "zh": "您好！点击下方按钮开始咨询。智能助手会先为您解答，"
            "您随时可以转人工。",
            "en": "Hello! Start a chat below. Our AI assistant answers first; you "
            "can ask for a person at any time.",
        },
        "chat_start": {"zh": "开始咨询", "en": "Start chat"},
        "chat_input": {"zh": "输入您的问题", "en": "Type your question"},
        "chat_send": {"zh": "发送", "en": "Send"},
        "chat_human": {"zh": "转人工", "en": "Talk to a person"},
        "chat_log": {"zh": "对话记录", "en": "Conversation"},
        "chat_you": {"zh": "您", "en": "You"},
        "chat_bot": {"zh": "智能助手", "en": "Assistant"},
        "chat_agent": {"zh": "人工客服", "en": "Agent"},
        "chat_ai_note": {
            "zh": "带“{label}”标记的消息由人工智能生成。",
            "en": "Messages marked “{label}” are generated by AI.",
        },
        "chat_waiting": {
            "zh": "已为您转接人工客服，预计等待约 {minutes} 分钟。",
            "en": "You are in the queue for a person: about {minutes} min.",
        },
        "chat_human_here": {
            "zh": "人工客服已接入，智能助手不再回复。",
            "en": "A person has joined; the assistant no longer replies.",
        },
        "chat_error": {
            "zh": "发送失败，请稍后再试。",
            "en": "Something went wrong; please try again.",
        },
        "chat_too_many": {
            "zh": "操作过于频繁，请稍后再试。",
            "en": "Too many messages; please wait a moment.",
        },
        "chat_privacy": {
            "zh": "请勿在对话中发送身份证号、银行卡号等敏感信息。",
            "en": "Please do not send ID or bank card numbers in the chat.",
        },
    }
)


# AI hand-offs, the human side of 转人工 (complydesk.web.handoffs).
STRINGS.update(
    {
        "handoff_nav": {"zh": "转人工会话", "en": "AI hand-offs"},
        "handoff_title": {"zh": "转人工会话", "en": "AI hand-offs"},
        "handoff_order_note": {
            "zh": "等待人工的会话，最早转入的排在最前；"
            "等待时间超过告知客户的预计时间时标红。",
            "en": "Chats waiting for a person, oldest first; red once the wait is "
            "longer than the customer was told.",
        },
        "handoff_waiting": {"zh": "等待人工", "en": "Waiting for a person"},
        "handoff_taken": {"zh": "已由人工接入", "en": "Taken by a person"},
        "handoff_none": {"zh": "目前没有等待人工的会话。", "en": "No chat is waiting."},
        "handoff_updated": {
            "zh": "队列已更新：{n} 个会话等待人工。",
            "en": "Queue updated: {n} chats waiting.",
        },
        "handoff_none_taken": {
            "zh": "暂无人工接入的会话。",
            "en": "No chat has been taken yet.",
        },
        "handoff_chat": {"zh": "会话", "en": "Chat"},
        "handoff_messages": {"zh": "条消息", "en": "messages"},
        "handoff_reason": {"zh": "转人工原因", "en": "Reason"},
        "handoff_cues": {"zh": "触发依据", "en": "Cues"},
        "handoff_requested": {"zh": "转入时间", "en": "Handed off"},
        "handoff_waited": {"zh": "已等待", "en": "Waiting for"},
        "handoff_expected": {
            "zh": "告知客户的预计等待",
            "en": "Wait the customer was told",
        },
        "handoff_minutes": {"zh": "分钟", "en": "min"},
        "handoff_over_promise": {"zh": "超出预计", "en": "Over the estimate"},
        "handoff_queue_name": {"zh": "队列", "en": "Queue"},
        "handoff_pack": {"zh": "政策包", "en": "Policy pack"},
        "handoff_backend": {"zh": "模型后端", "en": "Backend"},
        "handoff_last_activity": {"zh": "最近活动", "en": "last activity"},
        "handoff_back": {"zh": "返回转人工队列", "en": "Back to the hand-offs"},
        "handoff_reached": {"zh": "接入用时", "en": "Time to a person"},
        "handoff_transcript": {"zh": "会话记录", "en": "Transcript"},
        "handoff_masked_note": {
            "zh": "会话内容已脱敏显示。标有“AI 生成”的消息由 AI 自动生成。",
            "en": "The transcript is masked. Messages marked “AI-generated” were "
            "written by the AI.",
        },
        "handoff_ai_label": {"zh": "AI 生成", "en": "AI-generated"},
        "handoff_ai_title": {
            "zh": "本消息由人工智能生成",
            "en": "This message was generated by AI",
        },
        "handoff_who_customer": {"zh": "客户", "en": "Customer"},
        "handoff_who_bot": {"zh": "智能助手", "en": "Assistant"},
        "handoff_who_agent": {"zh": "人工客服", "en": "Agent"},
        "handoff_k_disclosure": {"zh": "AI 身份告知", "en": "AI disclosure"},
        "handoff_k_answer": {"zh": "回答", "en": "answer"},
        "handoff_k_fallback": {"zh": "未能理解", "en": "fallback"},
        "handoff_k_handoff_notice": {"zh": "转人工通知", "en": "hand-off notice"},
        "handoff_k_replaced": {"zh": "已拦截并替换", "en": "blocked and replaced"},
        "handoff_s_bot": {"zh": "AI 服务中", "en": "With the AI"},
        "handoff_s_waiting_human": {"zh": "等待人工", "en": "Waiting for a person"},
        "handoff_s_human": {"zh": "人工服务中", "en": "With a person"},
        "handoff_s_closed": {"zh": "已结束", "en": "Closed"},
        "handoff_r_explicit_request": {"zh": "客户要求转人工", "en": "Customer asked"},
        "handoff_r_nlu_failures": {
            "zh": "多次未能理解客户",
            "en": "Repeated failures to understand",
        },
        "handoff_r_user_refuses_ai": {"zh": "客户拒绝 AI 服务", "en": "Refuses the AI"},
        "handoff_r_sensitive_pii": {
            "zh": "涉及敏感个人信息",
            "en": "Sensitive personal information",
        },
        "handoff_r_safety_emergency": {
            "zh": "人身安全紧急情况",
            "en": "Safety emergency",
        },
        "handoff_r_ai_timeout": {"zh": "超时未解决", "en": "Unresolved too long"},
        "handoff_r_complaint_intent": {"zh": "投诉意向", "en": "Complaint"},
        "handoff_r_negative_sentiment": {
            "zh": "强烈负面情绪",
            "en": "Strong negative mood",
        },
        "handoff_r_legal_threat": {"zh": "法律维权意向", "en": "Legal threat"},
        "handoff_r_agent_takeover": {"zh": "坐席主动接入", "en": "Agent took over"},
        "handoff_r_backend_unavailable": {
            "zh": "AI 服务不可用",
            "en": "AI backend unavailable",
        },
        "handoff_r_transfer_refused": {
            "zh": "跨境传输不允许",
            "en": "Cross-border transfer refused",
        },
        "handoff_why": {"zh": "转人工信息", "en": "Hand-off"},
        "handoff_labels": {"zh": "AI 内容标识", "en": "AI content labels"},
        "handoff_labels_note": {
            "zh": "每条 AI 消息都带有可见的“AI 生成”标识，"
            "并在页面中附带机器可读的标识信息（生成方式、模型、政策包及版本）。",
            "en": "Every AI message shows a visible “AI-generated” label and carries "
            "machine-readable metadata in the page (kind, model, policy pack and "
            "version).",
        },
        "handoff_reply": {"zh": "人工回复", "en": "Your reply"},
        "handoff_reply_text": {"zh": "回复客户", "en": "Reply to the customer"},
        "handoff_reply_hint": {
            "zh": "发送前会进行话术合规检查；"
            "客户页面会显示为人工客服消息，AI 不再自动回复。",
            "en": "Checked for compliance before it is sent; the customer sees it "
            "from an agent and the AI stops answering.",
        },
        "handoff_send": {"zh": "发送回复", "en": "Send reply"},
        "handoff_sent": {
            "zh": "回复已发送，客户页面将显示人工客服消息。",
            "en": "Reply sent; the customer's page will show it.",
        },
        "handoff_empty": {"zh": "回复内容不能为空。", "en": "The reply is empty."},
        "handoff_blocked_note": {
            "zh": "该回复未发送。请按建议修改后重新发送。",
            "en": "This reply was not sent. Rewrite it as suggested and send again.",
        },
    }
)
