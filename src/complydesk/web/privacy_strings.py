"""Strings of the public data-request pages: Chinese by default, English on request."""

from __future__ import annotations

from complydesk.web.i18n import LANGS

STRINGS: dict[str, dict[str, str]] = {
    "title": {"zh": "个人信息权利申请", "en": "Your personal data rights"},
    "intro": {
        "zh": "您可以申请查阅、复制、更正、删除您的个人信息，限制或拒绝对其的处理"
        "（包括拒绝仅由自动化决策作出的决定）。为保护您的信息，我们会向我们"
        "记录中的您的手机或邮箱发送验证码。",
        "en": "You can ask for a copy of your personal data, its correction or "
        "deletion, or restrict or object to its use (including decisions made "
        "solely by automated means). To protect your data we send a code to the "
        "phone or e-mail address we already hold for you.",
    },
    "type": {"zh": "申请类型", "en": "What would you like?"},
    "access": {"zh": "查阅并复制我的个人信息", "en": "A copy of my data (access)"},
    "portability": {
        "zh": "以机器可读格式获取我的个人信息（可携带）",
        "en": "My data in a machine-readable file (portability)",
    },
    "erasure": {"zh": "删除我的个人信息", "en": "Delete my data (erasure)"},
    "rectification": {
        "zh": "更正我的个人信息",
        "en": "Correct my data (rectification)",
    },
    "restriction": {"zh": "限制处理我的个人信息", "en": "Restrict the use of my data"},
    "objection": {"zh": "拒绝某类处理", "en": "Object to a use of my data"},
    "scope": {
        "zh": "针对哪类处理（限制/拒绝时填写）",
        "en": "Which use (for restriction or objection)",
    },
    "all_processing": {"zh": "全部处理（仅保存）", "en": "All use (storage only)"},
    "automated_decisions": {
        "zh": "仅由自动化决策作出的决定",
        "en": "Decisions made solely by automated means",
    },
    "marketing": {"zh": "营销推广", "en": "Marketing"},
    "profiling": {"zh": "用户画像", "en": "Profiling"},
    "sale_or_sharing": {"zh": "出售或共享", "en": "Sale or sharing"},
    "identifier": {"zh": "您在我们这里使用的", "en": "How we know you"},
    "phone": {"zh": "手机号码", "en": "Phone number"},
    "email": {"zh": "电子邮箱", "en": "E-mail address"},
    "value": {"zh": "号码或邮箱", "en": "Number or address"},
    "details": {
        "zh": "补充说明（可选，例如需要更正的内容）",
        "en": "Anything we should know (optional, e.g. what to correct)",
    },
    "submit": {"zh": "提交申请", "en": "Send request"},
    "code_sent": {
        "zh": "如果我们持有与您提供的信息相符的记录，验证码已发送至我们记录中的"
        "联系方式，15 分钟内有效。",
        "en": "If we hold a record that matches what you entered, a code has been "
        "sent to the contact details on that record. It is valid for 15 minutes.",
    },
    "reference": {"zh": "申请编号", "en": "Request reference"},
    "code": {"zh": "验证码（6 位数字）", "en": "Code (6 digits)"},
    "verify": {"zh": "验证", "en": "Verify"},
    "verified": {
        "zh": "身份已验证，我们将在以下时间前答复您：",
        "en": "Your identity is verified. We will answer by:",
    },
    "no_deadline": {
        "zh": "我们将及时处理您的申请。",
        "en": "We will handle your request promptly.",
    },
    "bad_code": {
        "zh": "验证码错误或已失效，请重新提交申请以获取新的验证码。",
        "en": "The code is wrong or no longer valid. Send the request again to get "
        "a new code.",
    },
    "bad_input": {"zh": "请检查填写内容：", "en": "Please check what you entered:"},
    "too_many": {
        "zh": "来自您网络的请求过于频繁，请稍后再试。",
        "en": "Too many attempts from your network. Please try again later.",
    },
    "switch": {"zh": "English", "en": "中文"},
}


def strings(lang: str) -> dict[str, str]:
    lang = lang if lang in LANGS else "zh"
    return {key: texts[lang] for key, texts in STRINGS.items()}
