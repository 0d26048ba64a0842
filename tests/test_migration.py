"""A script written for imbalanced-learn runs with only the import lines changed
and gives the same scores."""

import textwrap

SCRIPT = textwrap.dedent(
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
    from sklearn.preprocessing import StandardScaler

    from imblearn.datasets import make_imbalance
    from imblearn.metrics import classification_report_imbalanced
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline

    X, y = load_breast_cancer(return_X_y=True)
    X, y = make_imbalance(X, y, sampling_strategy={0: 40, 1: 357}, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    pipe = make_pipeline(
        StandardScaler(),
        SMOTE(random_state=0),
        RandomForestClassifier(n_estimators=50, random_state=0),
    )
    grid = GridSearchCV(
        pipe,
        {"smote__k_neighbors": [3, 5], "randomforestclassifier__max_depth": [3, None]},
        cv=StratifiedKFold(3),
        scoring="balanced_accuracy",
    )
    grid.fit(X_train, y_train)
    report = classification_report_imbalanced(y_test, grid.predict(X_test), digits=6)
    RESULT = (grid.best_params_, round(grid.best_score_, 12), report)
    """
)


def _run(source):
    namespace = {}
    exec(compile(source, "<migration>", "exec"), namespace)  # noqa: S102
    return namespace["RESULT"]


def test_imblearn_script_runs_unchanged_with_counterpoise():
    original = _run(SCRIPT)
    migrated = _run(SCRIPT.replace("from imblearn", "from counterpoise"))
    assert "counterpoise" in SCRIPT.replace("from imblearn", "from counterpoise")
    assert migrated == original
