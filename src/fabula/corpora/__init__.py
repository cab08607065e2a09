"""Annotated data sets and what is shared around them by :mod:`fabula.eval` (reports) and :mod:`fabula.training`
(model fitting and selection), which never import each other:

* :mod:`fabula.corpora.novels`: gold quotation corpora (PDNC, LitBank, QuoteLi3) read into ``GoldNovel`` records;
* :mod:`fabula.corpora.align`: matching fabula's output to the gold (names, quotation spans);
* :mod:`fabula.corpora.emotion`: GoEmotions and EmoBank readers and the standard dev-set scores of an emotion model;
* :mod:`fabula.corpora.metrics`: plain measures on arrays (Pearson r, per-column F1).
"""
