"""Evaluation (docs/evaluation.md): indicator sets as data, periods, scores, frozen snapshots."""

from evaluation.models.indicators import (
    FormulaType,
    GradeRule,
    Indicator,
    IndicatorSet,
    IndicatorSetStatus,
    VetoKind,
    VetoRule,
)
from evaluation.models.periods import Dirty, Half, Period, PeriodStatus, Snapshot, SnapshotGrade
from evaluation.models.scores import ManualScore, ManualVeto, Score

__all__ = [
    "Dirty",
    "FormulaType",
    "GradeRule",
    "Half",
    "Indicator",
    "IndicatorSet",
    "IndicatorSetStatus",
    "ManualScore",
    "ManualVeto",
    "Period",
    "PeriodStatus",
    "Score",
    "Snapshot",
    "SnapshotGrade",
    "VetoKind",
    "VetoRule",
]
