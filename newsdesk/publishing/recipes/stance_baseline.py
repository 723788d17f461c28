from datasets import load_dataset
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report

path = "outputs/newsdesk-news/latest"
labeled = {"input_columns": "stance", "function": lambda stance: stance >= 0}
train = load_dataset(path, split="train").filter(**labeled)
test = load_dataset(path, split="test").filter(**labeled)
names = train.features["stance"].names


def inputs(rows):
    return [f"{row['target']} | {row['text']}" for row in rows]


vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
model = LogisticRegression(max_iter=1000, class_weight="balanced")
model.fit(vectorizer.fit_transform(inputs(train)), train["stance"])
predicted = model.predict(vectorizer.transform(inputs(test)))
report = classification_report(
    test["stance"], predicted, labels=list(range(len(names))), target_names=names, zero_division=0
)
print(report)
