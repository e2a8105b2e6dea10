"""Turkish prompts (the polite -iniz form)."""

VOICE, SPEED = "tr", 150

TEXTS = {
    "welcome": "Hoş geldiniz.",
    "your_balance_is": "Bakiyeniz",
    "enter_account": "Lütfen hesap numaranızı girip kare tuşuna basın.",
    "enter_pin": "Lütfen PIN kodunuzu girip kare tuşuna basın.",
    "wrong_pin": "PIN kodu yanlış. Önceden basılan tuşlar silindi.",
    "pin_locked": "Çok fazla hatalı PIN girildi. Hesabınız kilitlendi. Lütfen operatörle "
                  "iletişime geçin.",
    "account_locked": "Bu hesap kilitli. Lütfen operatörle iletişime geçin.",
    "enter_destination": "Lütfen aramak istediğiniz numarayı girip kare tuşuna basın.",
    "you_can_talk_for": "Konuşma süreniz",
    "not_enough_credit": "Bakiyeniz bu arama için yeterli değil.",
    "number_not_allowed": "Bu numara aranamaz. Önceden basılan tuşlar silindi.",
    "emergency_number": "Bu hizmet acil durum numaralarını aramaz. Lütfen kapatın ve acil "
                        "durum numarasını kendi telefonunuzdan arayın.",
    "no_rate": "Bu hedef bu hizmet üzerinden aranamaz. Önceden basılan tuşlar silindi.",
    "destination_busy": "Aradığınız numara meşgul.",
    "no_answer": "Aradığınız numara cevap vermiyor.",
    "call_failed": "Arama bağlanamadı.",
    "all_lines_busy": "Tüm hatlar meşgul. Lütfen daha sonra tekrar deneyin.",
    "goodbye": "Hoşça kalın.",
    "box_closing": "Bu hizmet şimdi kapanıyor. Hoşça kalın.",
    "service_unavailable": "Üzgünüz, bu hizmet şu anda kullanılamıyor. Lütfen daha sonra tekrar "
                           "deneyin.",
    "time_is_up": "Konuşma süreniz doldu.",
    "connecting_you_to": "Şu numaraya bağlanıyorsunuz:",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Callbox hat testi. Lütfen sessiz kalın.",
    "voicetest_speak": "Sinyal sesinden sonra bir cümle söyleyin, ardından 1 2 3 tuşlarına basın.",
    "voicetest_done": "Teşekkür ederiz. Hoşça kalın.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Türkçe için şu tuşa basın:",
    "zero": "sıfır", "one": "bir", "two": "iki", "three": "üç", "four": "dört",
    "five": "beş", "six": "altı", "seven": "yedi", "eight": "sekiz", "nine": "dokuz",
}
