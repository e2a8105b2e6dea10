"""Russian prompts (вы-form).

The lead-ins before an amount or a time end in a colon: the money and duration
words that follow are in the nominative ("одна минута"), which fits only there.
"""

VOICE, SPEED = "ru", 150

TEXTS = {
    "welcome": "Добро пожаловать.",
    "your_balance_is": "Ваш баланс:",
    "enter_account": "Пожалуйста, введите номер счёта и нажмите решётку.",
    "enter_pin": "Пожалуйста, введите пин-код и нажмите решётку.",
    "wrong_pin": "Неверный пин-код. Ранее нажатые клавиши сброшены.",
    "pin_locked": "Слишком много неверных попыток ввода пин-кода. Ваш счёт заблокирован. "
                  "Пожалуйста, обратитесь к оператору.",
    "account_locked": "Этот счёт заблокирован. Пожалуйста, обратитесь к оператору.",
    "enter_destination": "Пожалуйста, наберите номер, на который хотите позвонить, и нажмите "
                         "решётку.",
    "you_can_talk_for": "Доступное время разговора:",
    "not_enough_credit": "На вашем счёте недостаточно средств для этого звонка.",
    "number_not_allowed": "На этот номер позвонить нельзя. Ранее нажатые клавиши сброшены.",
    "no_rate": "Звонки в это направление через нашу службу недоступны. Ранее нажатые клавиши "
               "сброшены.",
    "destination_busy": "Вызываемый номер занят.",
    "no_answer": "Вызываемый абонент не отвечает.",
    "call_failed": "Не удалось установить соединение.",
    "all_lines_busy": "Все линии заняты. Пожалуйста, перезвоните позже.",
    "goodbye": "До свидания.",
    "box_closing": "Служба завершает работу. До свидания.",
    "service_unavailable": "Извините, служба сейчас недоступна. Пожалуйста, перезвоните позже.",
    "time_is_up": "Ваше время разговора истекло.",
    "connecting_you_to": "Соединяем с номером",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Проверка линии Callbox. Пожалуйста, соблюдайте тишину.",
    "voicetest_speak": "После сигнала произнесите фразу, затем нажмите 1 2 3.",
    "voicetest_done": "Спасибо. До свидания.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Для русского языка нажмите",
    "zero": "ноль", "one": "один", "two": "два", "three": "три", "four": "четыре",
    "five": "пять", "six": "шесть", "seven": "семь", "eight": "восемь", "nine": "девять",
}
