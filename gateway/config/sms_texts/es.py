"""SMS command words and replies in Spanish."""

WORDS = {
    "cb": ("LLAMAME", "LLAMADA"),
    "connect": ("CONECTAR",),
    "reg": ("REGISTRAR", "ALTA"),
    "unreg": ("BAJA",),
    "bal": ("SALDO",),
    "help": ("AYUDA",),
    "lang": ("IDIOMA",),
}

TEXTS = {
    "callback": "Le devolvemos la llamada ahora.",
    "callback_to": "Le devolvemos la llamada ahora y luego llamamos a {destination}.",
    "connect": "Conectando {a} y {b}. Al terminar la llamada recibirá un resumen por SMS.",
    "refused": "Lo sentimos, ahora no: {reason}",
    "register_first": "Regístrese primero: {reg} <cuenta> <PIN>",
    "registered": "Este teléfono ({number}) queda registrado para la cuenta {account}.",
    "wrong_pin": "Cuenta o PIN incorrectos.",
    "pin_locked": "Demasiados PIN incorrectos: la entrada del PIN está bloqueada, inténtelo "
                  "más tarde.",
    "unregistered": "Este teléfono ({number}) ya no está registrado.",
    "not_registered": "Este teléfono no está registrado.",
    "balance": "Su saldo es {amount} ({words}).",
    "invalid_number": "{number} no es un número al que se pueda llamar.",
    "emergency_number": "{number} es un número de emergencia: no se puede llamar desde aquí. "
                        "Llame al {number} desde su propio teléfono.",
    "usage_connect": "Escriba {connect} <número> <número>.",
    "usage_reg": "Escriba {reg} <cuenta> <PIN>.",
    "help": "Comandos: {cb} = devuélvame la llamada. {cb} <número> = llámeme y luego a ese "
            "número. {connect} <a> <b> = conectar dos números. {reg} <cuenta> <PIN> = "
            "registrar este teléfono. {unreg} = darlo de baja. {bal} = saldo. {lang} "
            "<código> = idioma. {help} = esta lista.",
    "too_late": "Su mensaje llegó demasiado tarde (hace {age}) y no se ejecutó. Envíelo de "
                "nuevo, por favor.",
    "language_set": "Su idioma es ahora: {language}.",
    "usage_lang": "Escriba {lang} <código>, uno de: {codes}.",
    "language_unknown": "{code} no es un idioma disponible. Escriba {lang} <código>, uno de: "
                        "{codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. Tiempo de conversación {talk_time}, "
                       "coste {cost}.",
    "not_connected": "No conectado: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "el número está en la lista de bloqueo",
    "running": "ya hay una llamada en curso para este número",
    "account_locked": "la cuenta {name} está bloqueada",
    "no_rate": "no hay tarifa para devolver la llamada a este número",
    "no_credit": "el saldo de la cuenta {name} no alcanza para una devolución de llamada",
    "unknown_callers": "no se devuelven llamadas a números desconocidos",
    "unknown_limit": "se alcanzó el límite de devoluciones de llamada a este número "
                     "desconocido en la última hora ({given})",
    "not_dialled": "no se puede llamar al {number}",
    "unavailable": "ahora mismo no es posible",
    "locked": "la cuenta está bloqueada: consulte al administrador.",
    "phone_taken": "este teléfono está registrado para otra cuenta. Envíe primero {unreg} y "
                   "luego regístrese de nuevo.",
    "account_is_locked": "la cuenta está bloqueada",
    "too_many_calls": "demasiadas llamadas en curso para esta cuenta",
    "no_rate_for": "no hay tarifa para {number}",
    "not_enough_credit": "saldo insuficiente",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "no llamado",
    "dialing": "marcando",
    "alerting": "sonando",
    "connected": "conectado",
    "ended": "terminado",
    "busy": "ocupado",
    "no answer": "sin respuesta",
    "rejected": "rechazado",
    "failed": "fallido",
    "no carrier": "línea cortada",
    "network": "fallo de la red",
    "modem down": "módem caído",
    "no free callback modem": "ninguna línea libre para la devolución de llamada",
    "no free destination modem": "ninguna línea libre hacia el destino",
}
