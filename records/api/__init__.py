"""REST endpoints of the records app, split by subject: credit subjects, dishonesty records for staff and clients,
disclosed records for the public."""

from records.api.dishonesty import (
    RecordCorrectApi,
    RecordDetailApi,
    RecordDismissApi,
    RecordExplainApi,
    RecordListApi,
    RecordPublishApi,
    RecordReturnApi,
    RecordRevokeApi,
    RecordSubmitApi,
)
from records.api.imports import ImportJobDetailApi, ImportJobErrorsApi, ImportJobListApi, ImportTemplateApi
from records.api.sync import ChangeFeedApi

__all__ = [
    "ChangeFeedApi",
    "ImportJobDetailApi",
    "ImportJobErrorsApi",
    "ImportJobListApi",
    "ImportTemplateApi",
    "RecordCorrectApi",
    "RecordDetailApi",
    "RecordDismissApi",
    "RecordExplainApi",
    "RecordListApi",
    "RecordPublishApi",
    "RecordReturnApi",
    "RecordRevokeApi",
    "RecordSubmitApi",
]
