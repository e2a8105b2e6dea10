"""SMS command words and replies in Arabic."""

WORDS = {
    "cb": ("اتصل",),
    "connect": ("وصل",),
    "reg": ("تسجيل",),
    "unreg": ("إلغاء",),
    "bal": ("رصيد", "الرصيد"),
    "help": ("مساعدة",),
    "lang": ("لغة", "اللغة"),
}

TEXTS = {
    "callback": "سنعاود الاتصال بك الآن.",
    "callback_to": "سنعاود الاتصال بك الآن، ثم بالرقم {destination}.",
    "connect": "جارٍ توصيل {a} و{b}. سيصلك ملخص برسالة عند انتهاء المكالمة.",
    "refused": "عذراً، ليس الآن: {reason}",
    "register_first": "سجّل أولاً: {reg} <الحساب> <PIN>",
    "registered": "هذا الهاتف ({number}) مسجل الآن للحساب {account}.",
    "wrong_pin": "الحساب أو الرقم السري غير صحيح.",
    "pin_locked": "أخطاء كثيرة في الرقم السري: تم قفل إدخاله، حاول لاحقاً.",
    "unregistered": "لم يعد هذا الهاتف ({number}) مسجلاً.",
    "not_registered": "هذا الهاتف غير مسجل.",
    "balance": "رصيدك {amount} ({words}).",
    "invalid_number": "{number} ليس رقماً يمكن الاتصال به.",
    "usage_connect": "اكتب {connect} <رقم> <رقم>.",
    "usage_reg": "اكتب {reg} <الحساب> <PIN>.",
    "help": "الأوامر: {cb} = اتصل بي. {cb} <رقم> = اتصل بي ثم بهذا الرقم. {connect} <a> <b> "
            "= وصل رقمين. {reg} <الحساب> <PIN> = تسجيل هذا الهاتف. {unreg} = إلغاء التسجيل. "
            "{bal} = الرصيد. {lang} <رمز> = اللغة. {help} = هذه القائمة.",
    "too_late": "وصلت رسالتك متأخرة (منذ {age}) ولم تُنفذ. أرسلها مرة أخرى من فضلك.",
    "language_set": "لغتك الآن: {language}.",
    "usage_lang": "اكتب {lang} <رمز>، أحد: {codes}.",
    "language_unknown": "{code} ليست لغة متاحة. اكتب {lang} <رمز>، أحد: {codes}.",
}
