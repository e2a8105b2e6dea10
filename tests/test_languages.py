"""Every language: its prompts complete, its money and durations in words with its grammar,
the phrase cache that speaks them, and admins' recordings kept in any language."""
from __future__ import annotations

import ast
import logging
import os
import pathlib
import wave

from num2words import num2words
import pytest

from audio import prompts, tones
from audio.phrases import Phrase, PhraseCache, phrase_path
from audio.player import load_prompt
from audio.prompts import CODES, LANGUAGES, generate
from audio.speech import Speech
from audio.words import cardinal, duration_text, money_text
from gateway.config import ConfigError, parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAY_CALLS = {"say", "say_last", "inform", "refuse", "collect"}


def write_wav(path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(pcm)


@pytest.fixture(scope="module")
def every_language():
    """Makes sure every language's prompts exist (a no-op after `make prompts`)."""
    for lang in CODES:
        report = generate(lang)
        assert not report.failed, (lang, report.failed)
    return prompts.DEFAULT_DIR


def prompt_names_used_in_gateway() -> set[str]:
    """Gives the prompt names the flows say: the strings given to say/inform/refuse/collect,
    and the values of the dicts those calls look names up in (PROMPT_FOR_CAUSE)."""
    names: set[str] = set()
    for source in (ROOT / "gateway").rglob("*.py"):
        tree = ast.parse(source.read_text(), str(source))
        tables = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                  for target in node.targets if isinstance(target, ast.Name)
                  and isinstance(node.value, ast.Dict)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in SAY_CALLS:
                continue
            for arg in call.args:
                for node in ast.walk(arg):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        names.add(node.value)
                    elif isinstance(node, ast.Name) and node.id in tables:
                        names.update(value.value for value in tables[node.id].values
                                     if isinstance(value, ast.Constant))
    return names


def test_every_prompt_the_flows_say_exists_in_every_language(every_language):
    used = prompt_names_used_in_gateway()
    # the finder works: the flows' own prompts, the cause table's, a .get default
    assert {"enter_pin", "wrong_pin", "you_can_talk_for", "destination_busy", "no_answer",
            "call_failed", "goodbye", "box_closing", "service_unavailable"} <= used
    for lang in CODES:
        texts = LANGUAGES[lang].texts
        assert not used - set(texts), f"{lang} has no text for {sorted(used - set(texts))}"
        assert set(texts) == set(prompts.NAMES), f"{lang} differs from English"
        assert prompts.check(lang, every_language) is None, lang
        for name in used:
            assert len(load_prompt(name, lang, every_language)) > 1600, (lang, name)


def test_the_error_prompts_say_typed_keys_are_cleared():
    cleared = {"en": "cleared", "de": "gelöscht", "fr": "effacées", "es": "borrado",
               "it": "cancellati", "pl": "skasowane", "tr": "silindi", "ru": "сброшены",
               "ar": "مسح"}
    assert set(cleared) == set(CODES)
    for lang, word in cleared.items():
        for name in ("wrong_pin", "number_not_allowed", "no_rate"):
            assert word in LANGUAGES[lang].texts[name], (lang, name)


def test_each_language_has_its_own_espeak_voice():
    voices = {lang: LANGUAGES[lang].voice for lang in CODES}
    assert voices == {"en": "en-us", "de": "de", "fr": "fr-fr", "es": "es", "it": "it",
                      "pl": "pl", "tr": "tr", "ru": "ru", "ar": "ar"}


def test_a_missing_prompt_is_said_in_english_and_logged(tmp_path, caplog):
    for lang in ("en", "de"):
        (tmp_path / lang).mkdir()
        write_wav(tmp_path / lang / "welcome.wav", tones.tone(440, 0.2))
    write_wav(tmp_path / "en" / "goodbye.wav", tones.tone(880, 0.2))
    speech = Speech(lang="de", prompt_dir=tmp_path, phrases=PhraseCache(tmp_path / "phrases"))
    with caplog.at_level(logging.ERROR, logger="audio.speech"):
        pcm = speech.say("goodbye")
    assert pcm == load_prompt("goodbye", "en", tmp_path)
    assert "prompt goodbye has no de version, said in English" in caplog.text


# -- money, durations: each language's grammar ------------------------------------------

@pytest.mark.parametrize("lang,minor,words", [
    ("en", 2150, "twenty-one euro and fifty cents"), ("en", 1, "one cent"),
    ("de", 2150, "einundzwanzig Euro und fünfzig Cent"), ("de", 100, "ein Euro"),
    ("de", 2, "zwei Cent"),
    ("fr", 2100, "vingt et un euros"), ("fr", 100, "un euro"),
    ("fr", 150, "un euro et cinquante centimes"), ("fr", 2, "deux centimes"),
    ("es", 2100, "veintiún euros"), ("es", 150, "un euro con cincuenta céntimos"),
    ("es", 1, "un céntimo"),
    ("it", 2100, "ventun euro"), ("it", 150, "un euro e cinquanta centesimi"),
    ("it", 1, "un centesimo"),
    ("pl", 100, "jedno euro"), ("pl", 200, "dwa euro"), ("pl", 2, "dwa centy"),
    ("pl", 5, "pięć centów"), ("pl", 2150, "dwadzieścia jeden euro i pięćdziesiąt centów"),
    ("ru", 2100, "двадцать один евро"), ("ru", 2, "два цента"), ("ru", 5, "пять центов"),
    ("ru", 150, "один евро пятьдесят центов"),
    ("tr", 2150, "yirmi bir avro elli sent"), ("tr", 100, "bir avro"), ("tr", 2, "iki sent"),
    ("ar", 100, "يورو واحد"), ("ar", 200, "يوروان"), ("ar", 500, "خمسة يوروهات"),
    ("ar", 2100, "واحد و عشرون يورو"), ("ar", 150, "يورو واحد وخمسون سنتاً"),
    ("ar", 2, "سنتان"),
])
def test_money_in_words_with_the_grammar_of_each_language(lang, minor, words):
    assert money_text(minor, lang, "EUR") == words


@pytest.mark.parametrize("lang,minor,currency,words", [
    ("ru", 1, "RUB", "одна копейка"), ("ru", 2100, "RUB", "двадцать один рубль"),
    ("ru", 2, "RUB", "две копейки"),          # копейка is feminine: одна, две
    ("pl", 200, "PLN", "dwa złote"), ("pl", 500, "PLN", "pięć złotych"),
    ("es", 100, "TRY", "una lira"),            # lira is feminine in Spanish
    ("tr", 1250, "TRY", "on iki lira elli kuruş"),
    ("en", 1250, "GBP", "twelve pounds sterling and fifty pence"),
    ("de", -150, "USD", "minus ein Dollar und fünfzig Cent"),
])
def test_money_in_other_currencies(lang, minor, currency, words):
    assert money_text(minor, lang, currency) == words


def test_our_money_words_are_num2words_own_where_it_has_them():
    for lang in ("en", "de", "fr", "es", "it", "ru"):
        whole = num2words(2150, lang=lang, to="currency", currency="EUR", separator=" |")
        major, minor = (part.strip() for part in whole.split("|"))
        assert money_text(2150, lang, "EUR").startswith(major), lang
        assert money_text(2150, lang, "EUR").endswith(minor), lang
        assert cardinal(37, lang) == num2words(37, lang=lang), lang


def test_a_currency_a_language_has_no_words_for_is_said_with_its_code(caplog):
    with caplog.at_level(logging.WARNING, logger="audio.words"):
        assert money_text(1234, "de", "TRY") == "zwölf T R Y und vierunddreißig"
    assert "no de words for the currency TRY" in caplog.text


@pytest.mark.parametrize("lang,seconds,words", [
    ("en", 754, "twelve minutes"), ("en", 60, "one minute"), ("en", 119, "one minute"),
    ("en", 40, "forty seconds"), ("en", 1, "one second"),
    ("de", 60, "eine Minute"), ("de", 1260, "einundzwanzig Minuten"), ("de", 1, "eine Sekunde"),
    ("fr", 60, "une minute"), ("fr", 1260, "vingt et une minutes"), ("fr", 2, "deux secondes"),
    ("es", 60, "un minuto"), ("es", 1260, "veintiún minutos"), ("es", 31, "treinta y un segundos"),
    ("it", 60, "un minuto"), ("it", 1260, "ventun minuti"), ("it", 2, "due secondi"),
    ("pl", 60, "jedna minuta"), ("pl", 120, "dwie minuty"), ("pl", 300, "pięć minut"),
    ("pl", 1320, "dwadzieścia dwie minuty"), ("pl", 720, "dwanaście minut"),
    ("ru", 60, "одна минута"), ("ru", 120, "две минуты"), ("ru", 300, "пять минут"),
    ("ru", 1260, "двадцать одна минута"), ("ru", 22, "двадцать две секунды"),
    ("tr", 120, "iki dakika"), ("tr", 1260, "yirmi bir dakika"), ("tr", 45, "kırk beş saniye"),
    ("ar", 60, "دقيقة واحدة"), ("ar", 120, "دقيقتان"), ("ar", 300, "خمس دقائق"),
    ("ar", 660, "إحدى عشرة دقيقة"), ("ar", 2, "ثانيتان"),
])
def test_durations_in_words_with_the_grammar_of_each_language(lang, seconds, words):
    assert duration_text(seconds, lang) == words


def test_words_refuse_what_they_cannot_say():
    with pytest.raises(TypeError):
        money_text(1.5, "de", "EUR")
    with pytest.raises(ValueError, match="negative"):
        duration_text(-1, "fr")
    with pytest.raises(ValueError, match="no number words for language 'xx'"):
        duration_text(60, "xx")


def test_the_voice_takes_any_currency_with_words_and_the_config_refuses_others():
    assert Speech(lang="ru", currency="RUB").money_words(2) == "две копейки"
    with pytest.raises(ValueError, match="no words for the currency 'XXX'"):
        Speech(currency="XXX")
    base = {"gateway": {"state_dir": "/var/lib/callbox", "country": "TR"}}
    assert parse({**base, "gateway": {**base["gateway"], "currency": "TRY"}}).gateway.currency \
        == "TRY"
    with pytest.raises(ConfigError, match="XXX has no words in any prompt language"):
        parse({**base, "gateway": {**base["gateway"], "currency": "XXX"}})


# -- the phrase cache ---------------------------------------------------------------------

def test_a_phrase_is_made_once_then_read_from_disk(tmp_path, caplog):
    cache = PhraseCache(tmp_path, premade=None)
    text = "einundzwanzig Euro und fünfzig Cent"
    path = phrase_path(tmp_path, "de", text)
    with caplog.at_level(logging.INFO, logger="audio.phrases"):
        made = cache.pcm("de", text)
    assert path.is_file() and "phrase 'einundzwanzig Euro und fünfzig Cent' (de) made" in \
        caplog.text
    assert 1.0 < len(made) / 16000 < 5.0          # seconds of 8 kHz S16 speech
    assert list(tmp_path.glob("de/.make-*")) == []       # nothing left half-written
    # the second time is the file on disk: what is there is what is said
    write_wav(path, tones.tone(440, 0.3))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="audio.phrases"):
        assert cache.pcm("de", text) == load_wav(path)
    assert "made" not in caplog.text
    # another language, or another voice speed, is another phrase
    assert phrase_path(tmp_path, "fr", text) != path


def load_wav(path) -> bytes:
    with wave.open(str(path)) as wav:
        return wav.readframes(wav.getnframes())


def test_the_phrase_cache_keeps_to_its_size_least_recently_used_first(tmp_path):
    cache = PhraseCache(tmp_path, max_bytes=100_000, premade=None)
    for n, lang in enumerate(("en", "de", "fr")):
        (tmp_path / lang).mkdir()
        for i in range(3):
            wav = tmp_path / lang / f"{i}.wav"
            write_wav(wav, bytes(19_000))
            stamp = 1_000_000 + 10 * n + i        # the time of its last use
            os.utime(wav, (stamp, stamp))
    assert cache.trim() == 5          # 9 x 19 kB, down to 80 % of 100 kB: the 5 oldest go
    left = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.glob("*/*.wav"))
    assert left == ["de/2.wav", "fr/0.wav", "fr/1.wav", "fr/2.wav"]
    assert cache.trim() == 0


def test_the_phrase_thread_ends_when_idle_and_comes_back(tmp_path):
    cache = PhraseCache(tmp_path, premade=None, idle_s=0.05)
    assert len(cache.prepare("it", "un minuto").result(timeout=30)) > 4000
    thread = cache._thread
    if thread is not None:
        thread.join(timeout=5)
    assert cache._thread is None
    assert len(cache.pcm("it", "due minuti")) > 4000          # a new thread made it
    assert sorted(path.parent.name for path in tmp_path.glob("*/*.wav")) == ["it", "it"]


def test_a_phrase_is_ready_once_made_and_a_prompt_always(tmp_path):
    speech = Speech(lang="es", currency="EUR", phrases=PhraseCache(tmp_path, premade=None))
    assert speech.ready("you_can_talk_for")
    talk_time = speech.duration_words(60 * 127)          # past the pre-made 60 minutes
    making = speech.phrases.prepare("es", talk_time)
    assert speech.ready(talk_time) is making.done()      # the flow asks while it is made
    making.result(timeout=30)
    assert speech.ready(talk_time)
    assert speech.ready(speech.duration_words(60 * 127))  # on disk now


def test_a_phrase_cache_that_cannot_be_written_still_speaks(tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    cache = PhraseCache(blocked, premade=None)
    with caplog.at_level(logging.WARNING, logger="audio.phrases"):
        assert len(cache.pcm("en", "twelve minutes")) > 8000
    assert "not writable" in caplog.text


def test_premade_phrases_are_read_first(tmp_path):
    premade = tmp_path / "premade"
    text = duration_text(120, "pl")
    (premade / "pl").mkdir(parents=True)
    write_wav(phrase_path(premade, "pl", text), tones.tone(660, 0.2))
    cache = PhraseCache(tmp_path / "run", premade=premade)
    assert cache.pcm("pl", text) == load_wav(phrase_path(premade, "pl", text))
    assert not (tmp_path / "run").exists()


def test_speech_says_prompts_and_phrases_in_the_callers_language(every_language, tmp_path):
    for lang in ("de", "ar"):
        speech = Speech(lang=lang, currency="EUR", phrases=PhraseCache(tmp_path, premade=None))
        phrase = speech.money_words(2150)
        assert isinstance(phrase, Phrase)
        pcm = speech.say("your_balance_is", phrase)
        assert pcm.startswith(load_prompt("your_balance_is", lang))
        assert pcm.endswith(speech.phrases.pcm(lang, phrase))
        assert speech.digit_words("+49 30") == ["four", "nine", "three", "zero"]


# -- admins' recordings ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_recording_survives_regeneration_in_any_language(tmp_path, lang):
    names = ["goodbye", "welcome", "enter_pin"]
    generate(lang, tmp_path, names)
    recording = tones.tone(523, 0.4)
    write_wav(tmp_path / lang / "goodbye.wav", recording)
    (tmp_path / lang / "enter_pin.wav").unlink()
    again = generate(lang, tmp_path, names)
    assert again.recordings == ["goodbye"] and again.unchanged == ["welcome"]
    assert again.generated == ["enter_pin"] and not again.failed
    assert load_prompt("goodbye", lang, tmp_path) == recording
    # its text changes: still kept, and reported as stale (re-record it?)
    changed = prompts.Language(LANGUAGES[lang].voice, LANGUAGES[lang].speed,
                               {**LANGUAGES[lang].texts, "goodbye": "?"})
    third = generate(lang, tmp_path, names, language=changed)
    assert third.stale_recordings == ["goodbye"] and third.generated == []
    assert load_prompt("goodbye", lang, tmp_path) == recording


def test_a_language_of_recordings_only_is_checked_like_the_others(tmp_path):
    (tmp_path / "nl").mkdir()
    for name in prompts.NAMES[:-1]:
        write_wav(tmp_path / "nl" / f"{name}.wav", tones.tone(440, 0.05))
    problem = prompts.check("nl", tmp_path)
    assert problem.startswith("1 of ") and prompts.NAMES[-1] in problem
    assert "record them as 8 kHz mono WAVs" in problem
    write_wav(tmp_path / "nl" / f"{prompts.NAMES[-1]}.wav", tones.tone(440, 0.05))
    assert prompts.check("nl", tmp_path) is None
    speech = Speech(lang="nl", prompt_dir=tmp_path, currency="EUR",
                    phrases=PhraseCache(tmp_path / "phrases", premade=None))
    assert speech.money_words(150) == "one euro and fifty cents"     # no Dutch words here
    pcm = speech.say("welcome", speech.money_words(150))
    assert pcm.startswith(load_prompt("welcome", "nl", tmp_path)) and len(pcm) > 16000
