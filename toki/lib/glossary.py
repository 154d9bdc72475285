"""One glossary per language: the word Toki uses for a disaster term, and the variants it never uses, in every
text a reader sees (the UI catalogues in locale/, the alert phrase and term tables). Two words for one thing
read as two things on the worst day (避難 was 대피 on the pages and 피난 in the alerts). The test
toki/portal/tests/test_glossary.py holds every text to it; a new variant found there is added here, not
silenced. English is the msgid language (docs/adr/0002-english-msgids.md); its words are reviewed in the
source, not here."""

# language → {the word used: the variants refused}
GLOSSARY = {
    "ko": {
        "대피": ("피난",),  # 避難 (evacuation, 避難指示, 避難所 = 대피소)
        "대피소": ("피난소", "쉼터"),  # 避難所
        "쓰나미": ("지진해일",),  # 津波 (폭풍해일 is a storm surge, not a variant)
    },
    "zh-hans": {
        "避难": ("疏散", "撤离"),  # 避難
        "避难所": ("收容所", "庇护所"),  # 避難所
        "海啸": ("津波",),  # 津波
    },
}
