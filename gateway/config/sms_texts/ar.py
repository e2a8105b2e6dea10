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
    "emergency_number": "{number} رقم طوارئ: لا يمكن الاتصال به من هنا. اتصل بـ {number} "
                        "من هاتفك.",
    "usage_connect": "اكتب {connect} <رقم> <رقم>.",
    "usage_reg": "اكتب {reg} <الحساب> <PIN>.",
    "help": "الأوامر: {cb} = اتصل بي. {cb} <رقم> = اتصل بي ثم بهذا الرقم. {connect} <a> <b> "
            "= وصل رقمين. {reg} <الحساب> <PIN> = تسجيل هذا الهاتف. {unreg} = إلغاء التسجيل. "
            "{bal} = الرصيد. {lang} <رمز> = اللغة. {help} = هذه القائمة.",
    "too_late": "وصلت رسالتك متأخرة (منذ {age}) ولم تُنفذ. أرسلها مرة أخرى من فضلك.",
    "language_set": "لغتك الآن: {language}.",
    "usage_lang": "اكتب {lang} <رمز>، أحد: {codes}.",
    "language_unknown": "{code} ليست لغة متاحة. اكتب {lang} <رمز>، أحد: {codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. مدة المكالمة {talk_time}، التكلفة {cost}.",
    "not_connected": "لم يتم الاتصال: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "الرقم في قائمة الحظر",
    "running": "توجد مكالمة جارية لهذا الرقم بالفعل",
    "account_locked": "الحساب {name} مقفل",
    "no_rate": "لا توجد تعرفة لمعاودة الاتصال بهذا الرقم",
    "no_credit": "رصيد الحساب {name} لا يكفي لمعاودة الاتصال",
    "unknown_callers": "لا نعاود الاتصال بالأرقام غير المعروفة",
    "unknown_limit": "تم بلوغ حد معاودة الاتصال بهذا الرقم غير المعروف خلال الساعة الأخيرة "
                     "({given})",
    "not_dialled": "لا يُسمح بالاتصال بالرقم {number}",
    "unavailable": "لا يمكن تنفيذ ذلك الآن",
    "locked": "الحساب مقفل: يرجى مراجعة المسؤول.",
    "phone_taken": "هذا الهاتف مسجل لحساب آخر. أرسل {unreg} أولاً، ثم سجّل من جديد.",
    "account_is_locked": "الحساب مقفل",
    "too_many_calls": "مكالمات كثيرة جارية لهذا الحساب",
    "no_rate_for": "لا توجد تعرفة للرقم {number}",
    "not_enough_credit": "الرصيد غير كافٍ",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "لم يُتصل به",
    "dialing": "جارٍ الطلب",
    "alerting": "يرن",
    "connected": "متصل",
    "ended": "انتهت",
    "busy": "مشغول",
    "no answer": "لا يوجد رد",
    "rejected": "مرفوض",
    "failed": "فشل",
    "no carrier": "انقطع الخط",
    "network": "عطل في الشبكة",
    "modem down": "المودم معطل",
    "no free callback modem": "لا يوجد خط متاح لمعاودة الاتصال",
    "no free destination modem": "لا يوجد خط متاح للطرف الآخر",
}
