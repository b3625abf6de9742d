"""Apple's state values and the groups the bot reads them in: the one home of every state set.

The values are the enums Apple documents in its OpenAPI spec (4.4.1). Anything else is new or
unknown: the engine names it in the thread and keeps following it with a deadline, never reads it
as "processing" or "done". Every module that asks "is this version submitted?" or "is this build
finished?" reads the answer here, so the message, the steps and the follower cannot disagree.
"""

from __future__ import annotations

from typing import Final

# Platform (of a version, a build's pre-release version, a review submission)
PLATFORMS: Final = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")

# Build.processingState
BUILD_PROCESSING_STATES: Final = ("PROCESSING", "FAILED", "INVALID", "VALID")
BUILD_FAILED_STATES: Final = ("FAILED", "INVALID")

# buildBetaDetail.internalBuildState and externalBuildState
BETA_BUILD_STATES: Final = (
    "PROCESSING", "PROCESSING_EXCEPTION", "MISSING_EXPORT_COMPLIANCE", "READY_FOR_BETA_TESTING",
    "IN_BETA_TESTING", "EXPIRED", "IN_EXPORT_COMPLIANCE_REVIEW", "READY_FOR_BETA_SUBMISSION",
    "WAITING_FOR_BETA_REVIEW", "IN_BETA_REVIEW", "BETA_REJECTED", "BETA_APPROVED", "NOT_APPLICABLE",
)  # fmt: skip
BETA_FAILED_STATES: Final = ("PROCESSING_EXCEPTION",)
BETA_PROCESSING: Final = "PROCESSING"  # still being prepared: not ready for testers or beta review

# BetaAppReviewSubmission.betaReviewState
BETA_REVIEW_STATES: Final = ("WAITING_FOR_REVIEW", "IN_REVIEW", "REJECTED", "APPROVED")
BETA_REVIEW_PENDING: Final = ("WAITING_FOR_REVIEW", "IN_REVIEW")  # with Apple, not decided yet

# AppStoreVersion.appVersionState
APP_VERSION_STATES: Final = (
    "ACCEPTED", "DEVELOPER_REJECTED", "IN_REVIEW", "INVALID_BINARY", "METADATA_REJECTED",
    "PENDING_APPLE_RELEASE", "PENDING_DEVELOPER_RELEASE", "PREPARE_FOR_SUBMISSION",
    "PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION", "READY_FOR_REVIEW", "REJECTED",
    "REPLACED_WITH_NEW_VERSION", "WAITING_FOR_EXPORT_COMPLIANCE", "WAITING_FOR_REVIEW",
)  # fmt: skip
# A version in one of these can still take a new build and metadata. App Store Connect allows one
# such version per platform, so a new release reuses it instead of adding one.
VERSION_EDITABLE: Final = (
    "PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW", "WAITING_FOR_REVIEW", "WAITING_FOR_EXPORT_COMPLIANCE",
    "DEVELOPER_REJECTED", "REJECTED", "METADATA_REJECTED", "INVALID_BINARY",
)  # fmt: skip
# Past review: a release date can no longer be set. (READY_FOR_SALE is the pre-4.x name of
# READY_FOR_DISTRIBUTION that older apps still report.)
VERSION_RELEASED: Final = frozenset(
    {"PENDING_APPLE_RELEASE", "PROCESSING_FOR_DISTRIBUTION", "READY_FOR_DISTRIBUTION", "READY_FOR_SALE"}
)
# With Apple or already out: submitting this version again would be a second submission.
VERSION_SUBMITTED: Final = VERSION_RELEASED | {
    "WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "ACCEPTED",
}  # fmt: skip
# On the App Store now, or until a newer version replaced it: an app with one is past its first
# version, and the version's own life is over.
VERSION_ON_STORE: Final = ("READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION")
# Apple said no: the version needs a fix (and, for INVALID_BINARY, a new build) before review.
VERSION_REJECTED: Final = ("REJECTED", "METADATA_REJECTED", "INVALID_BINARY")
# No new submission is offered while a version is in one of these: with Apple, out, or rejected (a
# rejected version is resubmitted from App Store Connect after the fix).
VERSION_NOT_SUBMITTABLE: Final = VERSION_SUBMITTED | set(VERSION_REJECTED)
# States the follower keeps asking about until the version is out or rejected.
VERSION_FOLLOWED: Final = (
    "WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "PENDING_APPLE_RELEASE",
    "PROCESSING_FOR_DISTRIBUTION", "WAITING_FOR_EXPORT_COMPLIANCE", "ACCEPTED", "READY_FOR_REVIEW",
)  # fmt: skip

# ReviewSubmission.state
# Not sent yet; a new POST would create (or collide with) one of these.
SUBMISSION_UNSENT: Final = ("READY_FOR_REVIEW",)
# Sent and still with Apple: what "cancel previous submissions" looks for.
SUBMISSION_IN_REVIEW: Final = ("WAITING_FOR_REVIEW", "IN_REVIEW", "UNRESOLVED_ISSUES")
SUBMISSION_CANCEL_DONE: Final = ("CANCELING", "COMPLETE")

# AppStoreVersion.releaseType
RELEASE_TYPES: Final = ("MANUAL", "AFTER_APPROVAL", "SCHEDULED")
