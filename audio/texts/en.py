"""English prompts: the reference every other language translates."""

VOICE, SPEED = "en-us", 150

TEXTS = {
    "welcome": "Welcome.",
    "your_balance_is": "Your balance is",
    "enter_account": "Please enter your account number, followed by the hash key.",
    "enter_pin": "Please enter your PIN, followed by the hash key.",
    "wrong_pin": "That PIN is not correct. Keys typed ahead are cleared.",
    "pin_locked": "Too many wrong PINs. Your account is locked. Please contact the operator.",
    "account_locked": "This account is locked. Please contact the operator.",
    "enter_destination": "Please enter the number you want to call, followed by the hash key.",
    "you_can_talk_for": "You can talk for",
    "not_enough_credit": "Your credit is not enough for this call.",
    "number_not_allowed": "This number cannot be called. Keys typed ahead are cleared.",
    "emergency_number": "This service does not call emergency numbers. Please hang up and "
                        "call the emergency number from your own phone.",
    "no_rate": "This destination cannot be called from this service. Keys typed ahead are "
               "cleared.",
    "destination_busy": "The number you called is busy.",
    "no_answer": "The number you called does not answer.",
    "call_failed": "The call could not be connected.",
    "all_lines_busy": "All lines are busy. Please try again later.",
    "goodbye": "Goodbye.",
    "box_closing": "This service is shutting down now. Goodbye.",
    "service_unavailable": "Sorry, this service is not available right now. Please try again "
                           "later.",
    "time_is_up": "Your time is up.",
    "connecting_you_to": "Connecting you to",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Callbox line test. Please stay quiet.",
    "voicetest_speak": "After the tone, say a sentence, then press 1 2 3.",
    "voicetest_done": "Thank you. Goodbye.",
    # the digits of a number read out one by one ("connecting you to 4 9 ...")
    # the language menu: this language's option, its key said after it
    "menu_option": "For English, press",
    "zero": "zero", "one": "one", "two": "two", "three": "three", "four": "four",
    "five": "five", "six": "six", "seven": "seven", "eight": "eight", "nine": "nine",
}
