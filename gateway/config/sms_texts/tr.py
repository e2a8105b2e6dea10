"""SMS command words and replies in Turkish."""

WORDS = {
    "cb": ("ARA", "GERİARA"),
    "connect": ("BAĞLA",),
    "reg": ("KAYIT",),
    "unreg": ("KAYITSİL",),
    "bal": ("BAKİYE",),
    "help": ("YARDIM",),
    "lang": ("DİL",),
}

TEXTS = {
    "callback": "Sizi şimdi geri arıyoruz.",
    "callback_to": "Sizi şimdi geri arıyoruz, ardından {destination} aranacak.",
    "connect": "{a} ile {b} bağlanıyor. Görüşme bitince SMS ile bir özet gelecek.",
    "refused": "Üzgünüz, şu an olmuyor: {reason}",
    "register_first": "Önce kayıt olun: {reg} <hesap> <PIN>",
    "registered": "Bu telefon ({number}) artık {account} hesabına kayıtlı.",
    "wrong_pin": "Hesap ya da PIN yanlış.",
    "pin_locked": "Çok fazla yanlış PIN: PIN girişi kilitlendi, daha sonra yeniden deneyin.",
    "unregistered": "Bu telefonun ({number}) kaydı silindi.",
    "not_registered": "Bu telefon kayıtlı değil.",
    "balance": "Bakiyeniz {amount} ({words}).",
    "invalid_number": "{number} aranabilecek bir numara değil.",
    "emergency_number": "{number} bir acil durum numarasıdır: buradan aranamaz. {number} "
                        "numarasını kendi telefonunuzdan arayın.",
    "usage_connect": "{connect} <numara> <numara> yazın.",
    "usage_reg": "{reg} <hesap> <PIN> yazın.",
    "help": "Komutlar: {cb} = beni geri ara. {cb} <numara> = beni, sonra o numarayı ara. "
            "{connect} <a> <b> = iki numarayı bağla. {reg} <hesap> <PIN> = bu telefonu "
            "kaydet. {unreg} = kaydı sil. {bal} = bakiye. {lang} <kod> = dil. {help} = bu "
            "liste.",
    "too_late": "Mesajınız çok geç geldi ({age} önce) ve yerine getirilmedi. Lütfen yeniden "
                "gönderin.",
    "language_set": "Diliniz artık: {language}.",
    "usage_lang": "{lang} <kod> yazın; diller: {codes}.",
    "language_unknown": "{code} bu kutunun dillerinden değil. {lang} <kod> yazın; diller: "
                        "{codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. Konuşma süresi {talk_time}, ücret {cost}.",
    "not_connected": "Bağlanmadı: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "numara engelli listesinde",
    "running": "bu numara için zaten bir görüşme sürüyor",
    "account_locked": "{name} hesabı kilitli",
    "no_rate": "bu numarayı geri aramak için tarife yok",
    "no_credit": "{name} hesabının bakiyesi bir geri aramaya yetmiyor",
    "unknown_callers": "bilinmeyen numaralar geri aranmıyor",
    "unknown_limit": "bu bilinmeyen numara için son bir saatteki geri arama sınırı doldu "
                     "({given})",
    "not_dialled": "{number} aranamaz",
    "unavailable": "şu an bu yapılamıyor",
    "locked": "hesap kilitli: lütfen yöneticiye başvurun.",
    "phone_taken": "bu telefon başka bir hesaba kayıtlı. Önce {unreg} gönderin, sonra yeniden"
                   " kaydolun.",
    "account_is_locked": "hesap kilitli",
    "too_many_calls": "bu hesap için çok fazla görüşme sürüyor",
    "no_rate_for": "{number} için tarife yok",
    "not_enough_credit": "bakiye yetersiz",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "aranmadı",
    "dialing": "aranıyor",
    "alerting": "çalıyor",
    "connected": "bağlandı",
    "ended": "sona erdi",
    "busy": "meşgul",
    "no answer": "cevap yok",
    "rejected": "reddedildi",
    "failed": "başarısız",
    "no carrier": "hat koptu",
    "network": "şebeke arızası",
    "modem down": "modem devre dışı",
    "no free callback modem": "geri arama için boş hat yok",
    "no free destination modem": "aranan numara için boş hat yok",
}
