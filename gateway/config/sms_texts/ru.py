"""SMS command words and replies in Russian."""

WORDS = {
    "cb": ("ПЕРЕЗВОНИ", "ЗВОНОК"),
    "connect": ("СОЕДИНИ",),
    "reg": ("РЕГ", "РЕГИСТРАЦИЯ"),
    "unreg": ("ОТВЯЗАТЬ", "ОТМЕНА"),
    "bal": ("БАЛАНС",),
    "help": ("ПОМОЩЬ",),
    "lang": ("ЯЗЫК",),
}

TEXTS = {
    "callback": "Перезваниваем вам.",
    "callback_to": "Перезваниваем вам, затем соединим с {destination}.",
    "connect": "Соединяем {a} и {b}. После звонка придёт SMS с итогами.",
    "refused": "Сейчас невозможно: {reason}",
    "register_first": "Сначала зарегистрируйтесь: {reg} <счёт> <PIN>",
    "registered": "Этот телефон ({number}) теперь привязан к счёту {account}.",
    "wrong_pin": "Неверный счёт или PIN.",
    "pin_locked": "Слишком много неверных PIN: ввод PIN заблокирован, попробуйте позже.",
    "unregistered": "Этот телефон ({number}) больше не привязан.",
    "not_registered": "Этот телефон не привязан.",
    "balance": "Ваш баланс: {amount} ({words}).",
    "invalid_number": "{number} — не номер, на который можно позвонить.",
    "emergency_number": "{number} — экстренный номер: отсюда на него позвонить нельзя. Позвоните "
                        "на {number} со своего телефона.",
    "usage_connect": "Напишите {connect} <номер> <номер>.",
    "usage_reg": "Напишите {reg} <счёт> <PIN>.",
    "help": "Команды: {cb} = перезвонить мне. {cb} <номер> = перезвонить, затем этот номер. "
            "{connect} <a> <b> = соединить два номера. {reg} <счёт> <PIN> = привязать этот "
            "телефон. {unreg} = отвязать. {bal} = баланс. {lang} <код> = язык. {help} = "
            "этот список.",
    "too_late": "Ваше сообщение пришло слишком поздно ({age} назад) и не выполнено. "
                "Отправьте его ещё раз.",
    "language_set": "Ваш язык теперь: {language}.",
    "usage_lang": "Напишите {lang} <код>, один из: {codes}.",
    "language_unknown": "{code} — нет такого языка. Напишите {lang} <код>, один из: {codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. Время разговора {talk_time}, "
                       "стоимость {cost}.",
    "not_connected": "Соединение не установлено: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "номер в чёрном списке",
    "running": "для этого номера уже идёт звонок",
    "account_locked": "счёт {name} заблокирован",
    "no_rate": "нет тарифа для обратного звонка на этот номер",
    "no_credit": "на счёте {name} недостаточно средств для обратного звонка",
    "unknown_callers": "на неизвестные номера мы не перезваниваем",
    "unknown_limit": "исчерпан лимит обратных звонков на этот неизвестный номер за последний "
                     "час ({given})",
    "not_dialled": "на номер {number} звонить нельзя",
    "unavailable": "сейчас это сделать нельзя",
    "locked": "счёт заблокирован: обратитесь к администратору.",
    "phone_taken": "этот телефон привязан к другому счёту. Сначала отправьте {unreg}, затем "
                   "зарегистрируйтесь снова.",
    "account_is_locked": "счёт заблокирован",
    "too_many_calls": "по этому счёту идёт слишком много звонков",
    "no_rate_for": "нет тарифа для {number}",
    "not_enough_credit": "недостаточно средств",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "не вызывался",
    "dialing": "набор номера",
    "alerting": "идёт вызов",
    "connected": "соединено",
    "ended": "завершено",
    "busy": "занято",
    "no answer": "нет ответа",
    "rejected": "отклонено",
    "failed": "сбой",
    "no carrier": "связь прервана",
    "network": "сбой сети",
    "modem down": "модем недоступен",
    "no free callback modem": "нет свободной линии для обратного звонка",
    "no free destination modem": "нет свободной линии к абоненту",
}
