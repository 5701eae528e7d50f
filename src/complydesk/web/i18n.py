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
