"""Arabic prompts (Modern Standard Arabic).

The lead-in before a time ("مدة المكالمة المتاحة") is a subject whose predicate
is the duration, so the duration words stay in the nominative they are built in.
"""

VOICE, SPEED = "ar", 140

TEXTS = {
    "welcome": "مرحباً بكم.",
    "your_balance_is": "رصيدك هو",
    "enter_account": "من فضلك أدخل رقم حسابك متبوعاً بمفتاح المربع.",
    "enter_pin": "من فضلك أدخل الرقم السري متبوعاً بمفتاح المربع.",
    "wrong_pin": "الرقم السري غير صحيح. تم مسح المفاتيح التي ضغطت مسبقاً.",
    "pin_locked": "محاولات خاطئة كثيرة للرقم السري. تم إيقاف حسابك. يرجى الاتصال بالمشغل.",
    "account_locked": "هذا الحساب موقوف. يرجى الاتصال بالمشغل.",
    "enter_destination": "من فضلك أدخل الرقم الذي تريد الاتصال به متبوعاً بمفتاح المربع.",
    "you_can_talk_for": "مدة المكالمة المتاحة",
    "not_enough_credit": "رصيدك غير كافٍ لهذه المكالمة.",
    "number_not_allowed": "لا يمكن الاتصال بهذا الرقم. تم مسح المفاتيح التي ضغطت مسبقاً.",
    "emergency_number": "هذه الخدمة لا تتصل بأرقام الطوارئ. يرجى إنهاء المكالمة والاتصال "
                        "برقم الطوارئ من هاتفك.",
    "no_rate": "لا يمكن الاتصال بهذه الوجهة من خلال هذه الخدمة. تم مسح المفاتيح التي ضغطت "
               "مسبقاً.",
    "destination_busy": "الرقم المطلوب مشغول.",
    "no_answer": "الرقم المطلوب لا يرد.",
    "call_failed": "تعذر إجراء المكالمة.",
    "all_lines_busy": "جميع الخطوط مشغولة. يرجى المحاولة لاحقاً.",
    "goodbye": "مع السلامة.",
    "box_closing": "سيتم إيقاف هذه الخدمة الآن. مع السلامة.",
    "service_unavailable": "عذراً، هذه الخدمة غير متاحة حالياً. يرجى المحاولة لاحقاً.",
    "time_is_up": "انتهى وقت مكالمتك.",
    "connecting_you_to": "جارٍ توصيلك بالرقم",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "اختبار خط كولبوكس. يرجى التزام الهدوء.",
    "voicetest_speak": "بعد سماع النغمة، قل جملة ثم اضغط 1 2 3.",
    "voicetest_done": "شكراً لك. مع السلامة.",
    # the language menu: this language's option, its key said after it
    "menu_option": "للعربية، اضغط",
    "zero": "صفر", "one": "واحد", "two": "اثنان", "three": "ثلاثة", "four": "أربعة",
    "five": "خمسة", "six": "ستة", "seven": "سبعة", "eight": "ثمانية", "nine": "تسعة",
}
