"""An engine wired exactly like the deployed handler, on a recording session, for tests."""

from __future__ import annotations

from engine.clients import ClientFactory
from engine.handler import build_engine
from engine.process import Engine
from engine.settings import Settings
from tests.estate import ACCOUNT, REGION
from tests.recorder import CallRecorder, recording_session


def make_engine(settings: Settings | None = None, region: str = REGION) -> tuple[Engine, CallRecorder]:
    settings = settings or Settings(home_account_id=ACCOUNT)
    session, recorder = recording_session(region)
    clients = ClientFactory(
        session, member_role_name=settings.member_role_name, home_account_id=settings.home_account_id
    )
    return build_engine(settings, clients), recorder
