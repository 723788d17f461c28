"""The words the sentence rules need, apart from the rules: English abbreviations that do
not end a sentence, words that open one, and the verbs of a quote's attribution.

Only English text gets the word rules (`split_sentences(language=...)`); every other
language is split on punctuation and layout alone, so no list here assumes a language
silently.
"""

from __future__ import annotations


def _word_set(block: str) -> frozenset[str]:
    return frozenset(block.split())


# English abbreviations that usually continue the sentence; after them a boundary
# needs a typical sentence opener ("in the U.S. He said" vs "U.S. Secretary").
# Titles, places, companies and months: as written or in capitals ("Gen.", "GEN.").
CAPITALISED = _word_set(
    """
    Mr Mrs Ms Mx Dr Prof Gen Sen Sens Rep Reps Gov Govs Lt Col Capt Cpt Sgt Maj Adm
    Cmdr Cdr Brig Cpl Pvt Spc Rev Hon Rt Pres Supt Insp Det Messrs Mmes Mme Mlle Msgr
    Sr Jr Esq Atty Amb St Mt Ft Ave Blvd Rd Hwy Co Cos Corp Inc Ltd Plc Bros Assn Dept
    Univ Govt Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    """
)
# US states in AP style: only as written, so "Mass." is one and "mass." is not.
STATES = _word_set(
    """
    Ala Ariz Ark Calif Colo Conn Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo
    Mont Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo
    """
)
# Lower-case abbreviations, also capitalised at a sentence start ("Approx.").
LOWER_CASE = _word_set(
    "etc al approx est ed eds vol vols fig figs pp para art sec ch chap op ca cf vs co st"
)
ABBREVIATIONS = frozenset(
    [
        *CAPITALISED,
        *(w.upper() for w in CAPITALISED),
        *STATES,
        *LOWER_CASE,
        *(w.capitalize() for w in LOWER_CASE),
    ]
)
# Tokens that never end a sentence before a number ("No. 5", "p. 55", "N°. 12").
NUMBER_PREFIXES = _word_set("No Nos no nos NO N° n° Nº nº Tel tel Ext ext p pop Pop")
SPECIAL = ABBREVIATIONS | NUMBER_PREFIXES
# Words that typically open a sentence and rarely follow an abbreviation mid-sentence.
STARTERS = _word_set(
    """
    The A An He She It They We I You His Her Its Their Our My Your This That These Those
    There Here But And Or So Yet If When While As At In On For From By With After Before
    Since Although Though However Meanwhile Then Now What Why How Who Where Which Did Do
    Does Is Are Was Were Will Would Can Could Should Not No Yes Some Many Most All One Both
    Each Also Still Instead Even Such To Under During Despite According Last Earlier Later
    Mr Mrs Ms Dr
    """
)


SPEECH_VERBS = (
    "said|says|asked|asks|told|tells|added|adds|replied|wrote|writes|explained|continued|"
    "noted|recalled|insisted|shouted|tweeted|wondered"
)
