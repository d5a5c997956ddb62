"""Which language a customer writes in, and the words that ask for a language.

Short messages are mostly greetings, help requests or product names, which no detector reads
reliably: the greetings and help words of the six languages are known here by heart ("Hallo",
"Ciao", "Hola", "Olá", "नमस्ते", "Hilfe", "aiuto", "ayuda", "ajuda", "मदद"...). Longer text goes to
Lingua (an offline detector whose models ship inside its wheel; loaded once per process, only for
our six languages), and counts only when it is clearly one language. Devanagari script is Hindi.
Words used everywhere ("hi", "ok", "menu", "namaste" in Latin letters) decide nothing: the
country code or the business's default does.
"""
import functools
import re
import unicodedata

from shopchat.languages import CHAT_LANGUAGES

GREETINGS: dict[str, set[str]] = {
    "en": {"hello", "helo", "good morning", "good afternoon", "good evening", "hello there", "hey there"},
    "de": {"hallo", "guten tag", "guten morgen", "guten abend", "servus", "moin", "moin moin", "grüß gott",
           "gruss gott", "grüezi", "hallo zusammen", "tag"},
    "it": {"ciao", "buongiorno", "buon giorno", "buonasera", "buona sera", "salve", "ciao ciao"},
    "es": {"hola", "buenos días", "buenos dias", "buenas tardes", "buenas noches", "buenas", "qué tal", "que tal"},
    "pt-br": {"olá", "ola", "oi", "oie", "bom dia", "boa tarde", "boa noite", "tudo bem", "e aí", "e ai"},
    "hi": {"नमस्ते", "नमस्कार", "प्रणाम", "राम राम", "हेलो", "हैलो"},
}
# Greetings that say nothing of the language (WhatsApp's "hi" is written in every country).
NEUTRAL_GREETINGS = {"hi", "hii", "hiii", "hey", "hiya", "hi there", "namaste", "namaskar", "start", "menu",
                     "catalog", "catalogue", "shop", "ok", "okay"}
HELP_WORDS: dict[str, set[str]] = {
    "en": {"help", "agent", "human", "customer care", "customer support", "complaint", "support"},
    "de": {"hilfe", "kundendienst", "kundenservice", "beschwerde", "mitarbeiter", "hilfe bitte"},
    "it": {"aiuto", "assistenza", "supporto", "operatore", "reclamo"},
    "es": {"ayuda", "soporte", "asistencia", "agente", "queja"},
    "pt-br": {"ajuda", "suporte", "atendimento", "atendente", "reclamação", "reclamacao"},
    "hi": {"मदद", "सहायता", "शिकायत", "madad"},
}
# Asking where the latest order is ("track", "where is my order"), and to repeat the last order.
TRACK_WORDS: dict[str, set[str]] = {
    "en": {"track", "tracking", "track order", "track my order", "order status", "where is my order",
           "wheres my order", "where s my order", "my order", "order tracking", "status of my order"},
    "de": {"sendungsverfolgung", "bestellstatus", "wo ist meine bestellung", "wo bleibt meine bestellung",
           "bestellung verfolgen", "status meiner bestellung", "paket verfolgen", "wo ist mein paket"},
    "it": {"traccia", "tracciamento", "stato ordine", "stato dell ordine", "dov è il mio ordine",
           "dove è il mio ordine", "dov e il mio ordine", "dove il mio ordine", "traccia ordine",
           "traccia il mio ordine", "il mio ordine"},
    "es": {"rastrear", "rastreo", "seguimiento", "estado del pedido", "dónde está mi pedido", "donde esta mi pedido",
           "rastrear pedido", "rastrear mi pedido", "mi pedido", "seguimiento del pedido"},
    "pt-br": {"rastrear", "rastreio", "rastreamento", "status do pedido", "onde está meu pedido",
              "onde esta meu pedido", "onde está o meu pedido", "onde esta o meu pedido", "rastrear pedido",
              "meu pedido", "cadê meu pedido", "cade meu pedido"},
    "hi": {"मेरा ऑर्डर कहाँ है", "मेरा ऑर्डर कहां है", "ऑर्डर कहाँ है", "ऑर्डर कहां है", "ऑर्डर ट्रैक करें",
           "ट्रैक", "ऑर्डर की स्थिति", "ऑर्डर स्टेटस", "mera order kahan hai", "order kahan hai"},
}
REORDER_WORDS: dict[str, set[str]] = {
    "en": {"order again", "reorder", "re order", "repeat order", "repeat my order", "same again",
           "same order again", "buy again"},
    "de": {"nochmal bestellen", "noch einmal bestellen", "erneut bestellen", "bestellung wiederholen",
           "wieder bestellen", "nachbestellen"},
    "it": {"ordina di nuovo", "riordina", "ripeti ordine", "ripeti l ordine", "ordina ancora"},
    "es": {"pedir de nuevo", "volver a pedir", "repetir pedido", "repetir el pedido", "pedir otra vez"},
    "pt-br": {"pedir de novo", "pedir novamente", "repetir pedido", "repetir o pedido", "comprar de novo"},
    "hi": {"फिर से ऑर्डर करें", "दोबारा ऑर्डर करें", "फिर से ऑर्डर", "दोबारा ऑर्डर", "phir se order"},
}
# Asking for the language menu, and the languages by name (a name switches at once).
LANGUAGE_WORDS = {"language", "languages", "lang", "sprache", "sprachen", "lingua", "lingue", "idioma", "idiomas",
                  "língua", "linguagem", "भाषा", "bhasha"}
LANGUAGE_NAMES = {
    "english": "en", "englisch": "en", "inglese": "en", "inglés": "en", "ingles": "en", "inglês": "en",
    "अंग्रेज़ी": "en", "अंग्रेजी": "en",
    "deutsch": "de", "german": "de", "tedesco": "de", "alemán": "de", "aleman": "de", "alemão": "de",
    "italiano": "it", "italian": "it", "italienisch": "it",
    "español": "es", "espanol": "es", "spanish": "es", "spanisch": "es", "spagnolo": "es", "espanhol": "es",
    "português": "pt-br", "portugues": "pt-br", "portuguese": "pt-br", "portugiesisch": "pt-br",
    "portoghese": "pt-br",
    "हिन्दी": "hi", "हिंदी": "hi", "hindi": "hi",
}
MIN_DETECTOR_WORDS = 3  # fewer words are product names as often as sentences
MIN_CONFIDENCE = 0.5  # Lingua's confidence for the best language, among our six
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")

ALL_GREETINGS = set().union(*GREETINGS.values()) | NEUTRAL_GREETINGS
ALL_HELP_WORDS = set().union(*HELP_WORDS.values())
ALL_TRACK_WORDS = set().union(*TRACK_WORDS.values())
ALL_REORDER_WORDS = set().union(*REORDER_WORDS.values())


def words_of(text: str) -> str:
    """Lower case, punctuation gone, spaces collapsed (letters of every script kept)."""
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    return " ".join(re.sub(r"[^\w\s\u0900-\u097F]", " ", text).split())


def is_greeting(words: str) -> bool:
    return words in ALL_GREETINGS


def asks_for_help(words: str) -> bool:
    """"help", "Hilfe", or a short message with a help word in it ("ho bisogno di aiuto")."""
    if words in ALL_HELP_WORDS:
        return True
    tokens = words.split()
    if len(tokens) > 12:
        return False
    return any(t in ALL_HELP_WORDS for t in tokens) or any(
        f"{a} {b}" in ALL_HELP_WORDS for a, b in zip(tokens, tokens[1:], strict=False))


def asks_for_tracking(words: str) -> bool:
    """"where is my order", "track", "Bestellstatus", "मेरा ऑर्डर कहाँ है"... on their own (a
    polite "please" or "hi" around them is fine; "track pants" is a search)."""
    return _names(words, ALL_TRACK_WORDS)


def asks_to_reorder(words: str) -> bool:
    """"order again", "nochmal bestellen", "pedir de nuevo"... on their own."""
    return _names(words, ALL_REORDER_WORDS)


POLITE_WORDS = {"please", "pls", "plz", "bitte", "per favore", "por favor", "कृपया", "hi", "hello", "hey", "ciao",
                "hallo", "hola", "oi", "olá", "ola", "नमस्ते", "thanks", "danke", "grazie", "gracias", "obrigado",
                "obrigada", "धन्यवाद", "can you", "i want to", "i want", "ich möchte", "vorrei", "quiero", "quero"}


def _names(words: str, known: set[str]) -> bool:
    """`words` are one of `known`, maybe with polite words before or after."""
    if words in known:
        return True
    tokens = words.split()
    for start in range(len(tokens)):
        for end in range(len(tokens), start, -1):
            if " ".join(tokens[start:end]) in known:
                rest = [" ".join(tokens[:start]), " ".join(tokens[end:])]
                return all(not part or all(t in POLITE_WORDS for t in part.split()) or part in POLITE_WORDS
                           for part in rest)
    return False


def asks_for_language(words: str) -> bool:
    return words in LANGUAGE_WORDS


def named_language(words: str) -> str | None:
    """The language a message names on its own ("Deutsch", "हिंदी"), if it is one of ours."""
    return LANGUAGE_NAMES.get(words)


def detect(text: str) -> str | None:
    """The chat language `text` is written in, or None when it cannot tell."""
    words = words_of(text)
    if not words:
        return None
    if _DEVANAGARI.search(words):
        return "hi"
    tokens = words.split()
    for size in (3, 2, 1):  # a greeting or help word opening the message: "Ciao, ho bisogno di aiuto"
        head = " ".join(tokens[:size])
        for language, known in GREETINGS.items():
            if head in known:
                return language
    for language, known in HELP_WORDS.items():
        if language != "en" and any(t in known for t in tokens):
            return language
    if len(tokens) < MIN_DETECTOR_WORDS:
        return None
    return _lingua(words)


def _lingua(words: str) -> str | None:
    values = _detector().compute_language_confidence_values(words)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return _LINGUA_CODES.get(values[0].language.iso_code_639_1.name.lower())


_LINGUA_CODES = {"en": "en", "de": "de", "it": "it", "es": "es", "pt": "pt-br", "hi": "hi"}


@functools.cache
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ENGLISH, Language.GERMAN, Language.ITALIAN, Language.SPANISH, Language.PORTUGUESE,
                 Language.HINDI]
    assert len(languages) == len(CHAT_LANGUAGES)
    return LanguageDetectorBuilder.from_languages(*languages).build()


def locale_of(language: str) -> str:
    """How a chosen language is saved in `Customer.locale` ('pt-br' -> 'pt_BR')."""
    return "pt_BR" if language == "pt-br" else language
