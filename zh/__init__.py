"""Reading Chinese: the shared plumbing every package uses to understand what people type.

One home for each job, framework-free, importing nothing from the adapters or domain packages:

- `zh.normalise`: width, script, case and whitespace folding (one function, explicit options)
- `zh.numbers`: Chinese numerals (三十五, 一百二, 两三个) and amounts (30万, 三十万元)
- `zh.dates`: date spans in answers (去年6月, 3个月前, 刚注册) and in requests (下周三, 明天)
- `zh.answers`: yes/no, don't know, corrections, negation, skip, "any", ordinals, scores, names
- `zh.phones`: mainland mobile numbers in answers and in free text
- `zh.places`: the districts of Shanghai, with their former names (data/districts.yaml)
"""
