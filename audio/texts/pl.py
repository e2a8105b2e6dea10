"""Polish prompts (the impersonal "Proszę ..." of Polish phone services).

The lead-ins before an amount or a time end in "wynosi", which takes the
nominative that the money and duration words are built in.
"""

VOICE, SPEED = "pl", 150

TEXTS = {
    "welcome": "Witamy.",
    "your_balance_is": "Stan konta wynosi",
    "enter_account": "Proszę wprowadzić numer konta i nacisnąć krzyżyk.",
    "enter_pin": "Proszę wprowadzić PIN i nacisnąć krzyżyk.",
    "wrong_pin": "Nieprawidłowy PIN. Wcześniej wciśnięte klawisze zostały skasowane.",
    "pin_locked": "Zbyt wiele błędnych prób wprowadzenia PIN-u. Konto zostało zablokowane. Proszę "
                  "skontaktować się z operatorem.",
    "account_locked": "To konto jest zablokowane. Proszę skontaktować się z operatorem.",
    "enter_destination": "Proszę wybrać numer, z którym chcą Państwo się połączyć, i nacisnąć "
                         "krzyżyk.",
    "you_can_talk_for": "Dostępny czas rozmowy wynosi",
    "not_enough_credit": "Środki na koncie nie wystarczają na to połączenie.",
    "number_not_allowed": "Nie można połączyć się z tym numerem. Wcześniej wciśnięte klawisze "
                          "zostały skasowane.",
    "emergency_number": "Ta usługa nie łączy z numerami alarmowymi. Proszę się rozłączyć i "
                        "zadzwonić pod numer alarmowy z własnego telefonu.",
    "no_rate": "Połączenia w tym kierunku nie są dostępne w tej usłudze. Wcześniej wciśnięte "
               "klawisze zostały skasowane.",
    "destination_busy": "Wybrany numer jest zajęty.",
    "no_answer": "Wybrany numer nie odpowiada.",
    "call_failed": "Nie udało się nawiązać połączenia.",
    "all_lines_busy": "Wszystkie linie są zajęte. Proszę spróbować później.",
    "goodbye": "Do widzenia.",
    "box_closing": "Usługa zostaje teraz wyłączona. Do widzenia.",
    "service_unavailable": "Przepraszamy, usługa jest w tej chwili niedostępna. Proszę spróbować "
                           "później.",
    "time_is_up": "Czas rozmowy dobiegł końca.",
    "connecting_you_to": "Łączymy z numerem",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Test linii Callbox. Proszę zachować ciszę.",
    "voicetest_speak": "Po sygnale proszę powiedzieć jedno zdanie, a następnie nacisnąć 1 2 3.",
    "voicetest_done": "Dziękujemy. Do widzenia.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Aby wybrać język polski, naciśnij",
    "zero": "zero", "one": "jeden", "two": "dwa", "three": "trzy", "four": "cztery",
    "five": "pięć", "six": "sześć", "seven": "siedem", "eight": "osiem", "nine": "dziewięć",
}
