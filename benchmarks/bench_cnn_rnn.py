"""Chapters 3.1 and 3.2: seconds per epoch and test accuracy of the article's CNN and the RNNs.

The settings are those of the chapters' quick profile (4,000 training and 1,000 test digits, fixed
seed): the CNN trains 6 epochs with batches of 64, the LSTM and the article's RNN 6 epochs with
batches of 128. Seconds per epoch as the book defines them (``bigmodel_utils.training``):
the median over the
epochs after the first (which also traces the graph).
The accuracy targets are the chapters' quality gates.
"""


def cnn_row():
    """The article's CNN as trained in chapter 3.1 (quick): (seconds per epoch, test accuracy)."""
    import keras

    from bigmodel_utils import cnn, data, profile, training

    profile.set_seed(0)
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    model = cnn.build_article_cnn()
    run = training.fit_and_time(
        model,
        mnist.x_train,
        mnist.y_train,
        epochs=6,
        batch_size=64,
        optimizer=keras.optimizers.Adam(2e-3),
    )
    accuracy = model.evaluate(mnist.x_test, mnist.y_test, verbose=0)[1]
    return run.seconds_per_epoch, accuracy


def rnn_row(kind):
    """A row-by-row classifier as in chapter 3.2 (quick): (seconds per epoch, test accuracy)."""
    from bigmodel_utils import data, rnn_experiments

    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    _, row = rnn_experiments.train_row_classifier(kind, mnist, units=64, epochs=6)
    return row["seconds per epoch"], row["test accuracy"]


# Chapter 3.2's quick recipe, processor seconds of the whole chapter on a busy machine (ratios
# only): before, the book build's record; after, one run of the book's executor with the adding
# problem at T = 10 and 40 (was 10, 20, 40).
CHAPTER_SECONDS = [("chapter 3.2 (ch03_2_rnn), quick", 97, 63.4, "<= 40")]


def run(*args):
    rows = [
        {
            "benchmark": f"{label}: processor seconds (before: {before})",
            "value": after,
            "unit": "s",
            "target": target,
        }
        for label, before, after, target in CHAPTER_SECONDS
    ]
    measured = [
        ("article CNN (chapter 3.1), batch 64, 6 epochs", cnn_row(), ">= 95"),
        ("LSTM(64) by rows (chapter 3.2), batch 128, 6 epochs", rnn_row("lstm"), ">= 90"),
        ("article RNN(64) by rows (chapter 3.2), batch 128, 6 epochs", rnn_row("article"), ""),
    ]
    for label, (seconds, accuracy), target in measured:
        rows.append(
            {
                "benchmark": f"{label}: seconds per epoch (4,000 digits)",
                "value": seconds,
                "unit": "s",
                "target": "",
            }
        )
        rows.append(
            {
                "benchmark": f"{label}: test accuracy",
                "value": 100 * accuracy,
                "unit": "%",
                "target": target,
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
