"""Do GANs help when labels are few? The data-augmentation study: one classifier, the same budget, four ways of
filling its batches from N labeled images per class, several seeds, the held-out accuracy of each.

    split.py            who may see which label: N per class (nested in N for a seed), the unlabeled rest
    affine.py           classic augmentation: torchvision's RandomAffine, one draw per image, batched
    fit.py              the classifier every arm trains (the evaluation classifier's network) and its loop; Budget
    cgan.py             the conditional GAN trained on the labeled images alone, and its samples
    semi_supervised.py  the semi-supervised GAN of Salimans et al. 2016 (K + 1 classes, feature matching)
    arms.py             the arms (real, classic, cgan, sgan) and the all-labels reference
    study.py            StudyConfig, the cells, run_study (resumable into a folder), results.csv
    report.py           summary.md with what the numbers say, chart.png, the samples beside real images
"""
from gan_core.augmentation.arms import ARMS, DEFAULT_ARMS, REFERENCE
from gan_core.augmentation.fit import Budget
from gan_core.augmentation.report import Cellstat, conclusions, summarise, table
from gan_core.augmentation.split import STUDY_DATA, labeled_split, load_study_data
from gan_core.augmentation.study import (RESULT_COLUMNS, Cell, StudyConfig, StudyEvent, plan_cells, read_results,
                                         run_study)

__all__ = ["ARMS", "DEFAULT_ARMS", "REFERENCE", "Budget", "Cellstat", "conclusions", "summarise", "table",
           "STUDY_DATA", "labeled_split", "load_study_data", "RESULT_COLUMNS", "Cell", "StudyConfig", "StudyEvent",
           "plan_cells", "read_results", "run_study"]
