"""Search: analysis, query understanding, the engine interface and its Whoosh implementation, the index
queue and rebuild, the page, the API and the evaluator.

    analysis        jieba segmentation (no engine)
    understanding   normalisation, synonyms, concepts: above every engine
    engine/         the interface (base.py) and the embedded Whoosh engine (whoosh/)
    service         search(): what the page, the API and the evaluator call
    queue, build    keeping the index in line with the database; rebuild with replay; crash recovery
    memo            the bounded (LRU) memo every search cache uses
    documents       what is indexed (from faq/search_indexes.py)
    forms, views, api, evaluation
"""
