"""A learner's own records: attempts, CPD records and credentials; public verification of a credential by
its code; editors revoke one."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import editor_of
from api.credit.modules import AttemptDetailSerializer, AttemptSerializer, attempt_detail_body
from api.social import SIGNED_IN
from config.requests import signed_in
from curation.certificates import absolute, badge_path, certificate_path, open_badge, verification_path
from curation.models import Credential
from curation.selectors.credit import (
    attempt_own,
    attempts_of,
    cpd_records_of,
    credential_by_code,
    credentials_of,
)
from curation.services.credit import credential_revoke

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="only this calendar year")


class CpdRecordSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    module = serializers.UUIDField(source="module_version.module.public_id")
    title = serializers.CharField(source="module_version.content.title")
    version = serializers.IntegerField(source="module_version.version")
    completed_at = serializers.DateTimeField()
    score = serializers.FloatField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    hours_estimated = serializers.BooleanField()
    credential = serializers.CharField(source="credential.code")


class CredentialSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = serializers.CharField()
    valid = serializers.BooleanField(source="is_valid", help_text="false once an editor revoked it")
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    achievement = serializers.DictField(help_text="what the credential certifies, as issued")
    verification_url = serializers.SerializerMethodField()
    certificate_url = serializers.SerializerMethodField()
    badge_url = serializers.SerializerMethodField()

    def get_verification_url(self, credential: Credential) -> str:
        return absolute(verification_path(credential))

    def get_certificate_url(self, credential: Credential) -> str:
        return absolute(certificate_path(credential))

    def get_badge_url(self, credential: Credential) -> str:
        return absolute(badge_path(credential))


class CredentialVerificationSerializer(CredentialSerializer):
    badge = serializers.DictField(help_text="the Open Badges 3.0 OpenBadgeCredential")


class MyAttemptsView(APIView):
    """Your attempts, newest first (every attempt is kept)."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=AttemptSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(AttemptSerializer(attempts_of(learner=signed_in(request))[:500], many=True).data)


class MyAttemptView(APIView):
    """One of your attempts with its feedback."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=AttemptDetailSerializer)
    def get(self, request: Request, id: str) -> Response:
        attempt = attempt_own(learner=signed_in(request), public_id=id)
        return Response(attempt_detail_body(attempt))


class MyCpdView(APIView):
    """Your CPD records (one per module version passed), newest first."""

    permission_classes = SIGNED_IN

    @extend_schema(parameters=[YEAR], responses=CpdRecordSerializer(many=True))
    def get(self, request: Request) -> Response:
        year = request.query_params.get("year", "")
        records = cpd_records_of(
            learner=signed_in(request),
            year=int(year) if year.isascii() and year.isdigit() and len(year) == 4 else None,
        )
        return Response(CpdRecordSerializer(records, many=True).data)


class MyCredentialsView(APIView):
    """Your credentials: module passes and peer-review years."""

    permission_classes = SIGNED_IN

    @extend_schema(responses=CredentialSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CredentialSerializer(credentials_of(user=signed_in(request)), many=True).data)


class CredentialVerifyView(APIView):
    """Public verification of a credential by its code, with its Open Badges 3.0 credential."""

    @extend_schema(responses=CredentialVerificationSerializer)
    def get(self, request: Request, code: str) -> Response:
        credential = credential_by_code(code=code)
        return Response({**CredentialSerializer(credential).data, "badge": open_badge(credential)})


class RevocationInSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class CredentialRevocationView(APIView):
    """An editor revokes a credential (the reason goes to the audit trail); verification says so."""

    permission_classes = SIGNED_IN

    @extend_schema(request=RevocationInSerializer, responses={200: CredentialSerializer})
    def post(self, request: Request, code: str) -> Response:
        editor = editor_of(request)
        data = RevocationInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credential = credential_by_code(code=code)
        credential_revoke(editor=editor, credential=credential, reason=data.validated_data["reason"])
        credential.refresh_from_db()
        return Response(CredentialSerializer(credential).data)
