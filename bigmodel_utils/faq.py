"""Chapter 6: the FAQ reads back the numbers the other chapters saved, even when opened alone.

The book executes every chapter before the FAQ, so there every number is present. A reader who
opens only the FAQ (on Colab each notebook gets a runtime of its own) has none of them: the page
then says plainly which chapters to run and how, skips the answers that quote them, and shows the
numbers it did find. It never quotes a number from another profile, and never shows a traceback.
"""

from bigmodel_utils import checks, profile

MAGIC = "if_all_measured"
_STATE = {"complete": False}


def load_available(chapters):
    """The saved numbers of every chapter in ``chapters`` that ran in the active profile.

    Prints one plain paragraph naming the chapters still to run (or the count it read), and
    registers the cell magic ``%%if_all_measured``: a cell that starts with it runs only when
    every chapter's numbers were found, and otherwise prints one line saying it was skipped.

    Raises:
        ValueError: if ``chapters`` is empty or holds anything but chapter names.
    """
    if isinstance(chapters, str) or not isinstance(chapters, (list, tuple)) or not chapters:
        raise ValueError(f"chapters must be a non-empty list of chapter names, got {chapters!r}")
    if not all(isinstance(name, str) and name.strip() for name in chapters):
        raise ValueError(f"chapters must hold non-empty chapter names, got {chapters!r}")
    found, missing = {}, {}
    for chapter in chapters:
        try:
            found[chapter] = profile.load_results(chapter)
        except (FileNotFoundError, ValueError) as reason:  # not run, or run in another profile
            missing[chapter] = reason
    _STATE["complete"] = not missing
    _register_magic()
    print(describe(found, missing))
    return found


def describe(found, missing):
    """What the page found, and what to do about the chapters it did not find.

    ``found`` maps a chapter to its saved numbers (a dict); ``missing`` names the chapters not
    found (a dict of chapter to reason, or a list of names), as :func:`load_available` makes them.
    """
    checks.mapping(found, "found")
    for chapter, numbers in found.items():
        checks.mapping(numbers, f"found[{chapter!r}]")
    if isinstance(missing, (str, bytes)) or not isinstance(missing, (dict, list, tuple)):
        raise TypeError(f"missing must be a dict or list of chapter names, got {missing!r:.60}")
    for chapter in missing:
        checks.string(chapter, "missing (a chapter name)")
    read = (
        f"read {sum(map(len, found.values()))} numbers from {len(found)} chapters "
        f"({profile.active_profile()} profile)"
    )
    if not missing:
        return read
    names = ", ".join(f"{chapter}.ipynb" for chapter in missing)
    return (
        f"{read}; {len(missing)} of {len(found) + len(missing)} chapters have not saved their "
        f"numbers here in the {profile.active_profile()} profile: {names}.\n"
        "This page answers its questions with numbers those chapters measure. Run them first in "
        f"this runtime (each saves its numbers in {profile.results_dir()}), then run this page "
        "again. On Colab every notebook has a runtime of its own: set the environment variable "
        "BIGMODEL_RESULTS to one folder on your mounted Google Drive before running each chapter "
        "and this page, or read the answers with their numbers in the book's web edition.\n"
        "Until then the answers below are skipped; the table at the end lists what was found."
    )


def if_all_measured(line, cell):
    """Cell magic: run the cell only when every quoted chapter's numbers were found."""
    checks.string(line, "line", empty=True)
    checks.string(cell, "cell", empty=True)
    if not _STATE["complete"]:
        print("skipped: this answer needs the numbers of every chapter listed above")
        return
    from IPython import get_ipython

    shell = get_ipython()
    exec(compile(shell.transform_cell(cell), "<answer>", "exec"), shell.user_ns)


def _register_magic():
    """Make ``%%if_all_measured`` available in the running IPython kernel (if there is one)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(if_all_measured, magic_kind="cell", magic_name=MAGIC)


# ---- the answers' computed words, in both editions (chapter 6) ----

LANGUAGES = ("en", "zh")
# The four model families of chapter 3.5, by the slug its results use.
MODEL_NAMES = {
    "cnn": {"en": "CNN", "zh": "CNN"},
    "simple_rnn": {"en": "SimpleRNN", "zh": "SimpleRNN"},
    "lstm": {"en": "LSTM", "zh": "LSTM"},
    "vit": {"en": "Vision Transformer", "zh": "视觉 Transformer"},
}
IDEAL_TWO_DEVICE_SPEEDUP = 2.0  # two devices at best halve a step's time
CLOSE_TO_IDEAL = 0.9  # a speed-up within 10 % of the ideal counts as close to it


def _language(lang):
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")


def mixed_precision_clause(time_ratio, lang="en"):
    """How mixed precision changed a training step's time, judged from its interval (chapter 5.1).

    ``time_ratio`` is chapter 5.1's ``mixed_train_time_ratio``: the geometric mean of the paired
    rounds' step-time ratios (mixed_float16 / float32) with its 95 % interval (``mean``, ``low``,
    ``high``, as :func:`deployment.ratio_interval` returns it). "Slower" only when the whole
    interval lies above 1, "faster" only when it lies below 1; otherwise not measurable.
    """
    checks.mapping(time_ratio, "time_ratio", required=("mean", "low", "high"))
    mean, low, high = (
        checks.positive_float(time_ratio[k], f"time_ratio[{k!r}]") for k in ("mean", "low", "high")
    )
    if not low <= mean <= high:
        raise ValueError(f"time_ratio must have low <= mean <= high, got {low}, {mean}, {high}")
    _language(lang)
    if low > 1 or high < 1:
        slower = low > 1
        factor, lo, hi = (mean, low, high) if slower else (1 / mean, 1 / high, 1 / low)
        if lang == "zh":
            change = "用时变为原来的" if slower else "速度提高到原来的"
            return f"使每个训练步的{change} {factor:.1f} 倍（95% 区间 {lo:.1f}–{hi:.1f} 倍）"
        word = "slower" if slower else "faster"
        return f"made a training step {factor:.1f} times {word} (95 % interval {lo:.1f}–{hi:.1f})"
    if lang == "zh":
        return (
            f"对每个训练步的用时没有可测出的影响（比值 {mean:.2f}，95% 区间 {low:.2f}–{high:.2f}）"
        )
    return (
        f"did not measurably change a training step's time (ratio {mean:.2f}, "
        f"95 % interval {low:.2f}–{high:.2f})"
    )


def _close_to_ideal(speedup):
    """Whether a two-device speed-up reaches ``CLOSE_TO_IDEAL`` of the ideal 2."""
    checks.positive_float(speedup, "speedup")
    return speedup >= CLOSE_TO_IDEAL * IDEAL_TWO_DEVICE_SPEEDUP


def speedup_verdict(speedup, lang="en"):
    """Chapter 5.2's best two-device speed-up against the ideal 2 (Amdahl's bound for two).

    At least ``CLOSE_TO_IDEAL`` of the ideal is "close to the ideal 2", below it "well short of
    the ideal 2".
    """
    close = _close_to_ideal(speedup)
    _language(lang)
    words = {
        "en": ("well short of the ideal 2", "close to the ideal 2"),
        "zh": ("远未达到理想的 2 倍", "接近理想的 2 倍"),
    }
    return words[lang][close]


def speedup_answer(speedup, lang="en"):
    """The FAQ's one-word answer to "will two devices train twice as fast?" (chapter 5.2).

    "Nearly" from ``CLOSE_TO_IDEAL`` of the ideal 2 on, the rule :func:`speedup_verdict` words.
    """
    close = _close_to_ideal(speedup)
    _language(lang)
    return {"en": ("Not by default", "Nearly"), "zh": ("默认情况下不能", "接近")}[lang][close]


def data_clause(cnn_accuracy, vit_accuracy, lang="en"):
    """Chapter 3.5's lesson on assumptions: did the CNN beat the Vision Transformer?"""
    checks.probability(cnn_accuracy, "cnn_accuracy")
    checks.probability(vit_accuracy, "vit_accuracy")
    _language(lang)
    cnn_ahead = cnn_accuracy > vit_accuracy
    if lang == "zh":
        if cnn_ahead:
            return "在本页的数据上，CNN 内置的假设比 Transformer 的灵活性更有价值"
        return "在本页的数据上，Transformer 的灵活性已经赶上了 CNN 的假设"
    if cnn_ahead:
        return (
            "on this page's data, the CNN's built-in assumptions were worth more than the "
            "Transformer's flexibility"
        )
    return (
        "on this page's data, the Transformer's flexibility already matched the CNN's assumptions"
    )


def memory_clause(rnn_mse, baseline_mse, lang="en"):
    """Chapter 3.2's longest adding problem: the plain RNN's error against the blind baseline.

    Above half the error of always answering the average sum: "no better than"; else "clearly
    below". The words sit between the two errors in the FAQ's sentence.
    """
    checks.non_negative_float(rnn_mse, "rnn_mse")
    checks.positive_float(baseline_mse, "baseline_mse")
    _language(lang)
    solved = rnn_mse <= baseline_mse / 2
    words = {"en": ("no better than", "clearly below"), "zh": ("并不优于", "明显低于")}
    return words[lang][solved]
