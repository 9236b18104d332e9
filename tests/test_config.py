"""Configuration: one reader and one rule (secrets, then the environment; blank is unset), precedence
(sidebar > secrets > environment), safe defaults for nonsense, and a key that never shows."""

from __future__ import annotations

import pytest

from components.config import (
    APP_ROOT,
    ChatConfig,
    ProviderSettings,
    chat_config_from,
    provider_settings_from,
    store_config_from,
)
from components.models.errors import ConfigError
from components.models.providers import build_chat_model
from components.models.simulated_model import SimulatedChatModel


def test_defaults_to_the_simulated_provider_with_nothing_set() -> None:
    settings = provider_settings_from({}, {})
    assert settings.provider == "simulated"
    assert isinstance(build_chat_model(settings), SimulatedChatModel)


def test_secrets_win_over_the_environment() -> None:
    env = {"STREAMING_LAB_PROVIDER": "openai", "OPENAI_API_KEY": "env-key",
           "STREAMING_LAB_MODEL": "env-model"}
    secrets = {"OPENAI_API_KEY": "secret-key"}
    settings = provider_settings_from(secrets, env)
    assert (settings.provider, settings.model, settings.api_key) == ("openai", "env-model",
                                                                     "secret-key")
    assert settings.key_source == "secrets"


def test_sidebar_wins_over_both_and_blank_fields_keep_the_configured_value() -> None:
    settings = provider_settings_from({"OPENAI_API_KEY": "secret-key"}, {"OPENAI_BASE_URL": "http://a/v1"})
    same = settings.with_overrides(provider="openai", api_key="", base_url="http://a/v1/", model="")
    assert same.api_key == "secret-key" and same.uses_owner_key and same.base_url == "http://a/v1/"
    typed = settings.with_overrides(api_key="typed-key", base_url="http://b/v1")
    assert typed.api_key == "typed-key" and typed.key_source == "sidebar"
    assert typed.base_url == "http://b/v1" and not typed.uses_owner_key


@pytest.mark.parametrize("configured_url", ["", "http://a/v1"])
def test_the_owners_key_never_goes_to_a_url_a_visitor_typed(configured_url: str) -> None:
    settings = provider_settings_from({"OPENAI_API_KEY": "owner-key", "OPENAI_BASE_URL": configured_url}, {})
    elsewhere = settings.with_overrides(provider="openai", base_url="http://127.0.0.1:1/v1")
    assert elsewhere.api_key == "" and elsewhere.key_source == "" and not elsewhere.uses_owner_key
    assert settings.with_overrides(provider="openai").api_key == "owner-key"  # its own server


def test_with_the_owners_key_only_allowed_models() -> None:
    owner = provider_settings_from({"OPENAI_API_KEY": "owner-key"}, {}).with_overrides(provider="openai")
    assert owner.model_refusal() == ""  # the configured (default) model
    assert "gpt-4o-mini" in owner.with_overrides(model="o3-pro").model_refusal()
    listed = provider_settings_from({"OPENAI_API_KEY": "owner-key",
                                     "STREAMING_LAB_ALLOWED_MODELS": "a-1, b-2"}, {})
    assert listed.with_overrides(provider="openai", model="b-2").model_refusal() == ""
    assert "`a-1`, `b-2`" in listed.with_overrides(provider="openai", model="c-3").model_refusal()
    own = owner.with_overrides(model="o3-pro", api_key="visitor-key")
    assert own.model_refusal() == ""  # a visitor's own key, a visitor's own bill
    with pytest.raises(ConfigError, match="paste your own API key"):
        build_chat_model(owner.with_overrides(model="o3-pro"))


def test_unknown_provider_falls_back_to_simulated() -> None:
    assert provider_settings_from({}, {"STREAMING_LAB_PROVIDER": "llama"}).provider == "simulated"


def test_the_key_never_appears_in_repr() -> None:
    settings = ProviderSettings(provider="openai", api_key="sk-very-secret-value")
    assert "sk-very-secret-value" not in repr(settings)
    assert "sk-very-secret-value" not in settings.label


def test_openai_without_key_or_base_url_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        build_chat_model(ProviderSettings(provider="openai"))


def test_malformed_base_url_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match="not an http"):
        build_chat_model(ProviderSettings(provider="openai", base_url="localhost:11434"))


def test_local_base_url_needs_no_key() -> None:
    model = build_chat_model(ProviderSettings(provider="openai", base_url="http://127.0.0.1:9/v1"))
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.stream_usage is True


def test_blocking_model_can_still_stream_when_asked() -> None:
    # an explicit streaming=False would make .stream() fall back to one chunk in langchain-core 1.8
    model = build_chat_model(ProviderSettings(), streaming=False)
    assert "streaming" not in model.model_fields_set


def test_chat_config_from_secrets_and_environment() -> None:
    assert chat_config_from({}, {}) == ChatConfig()
    config = chat_config_from({"STREAMING_LAB_MAX_PROMPT_CHARS": 100},
                              {"STREAMING_LAB_MAX_PROMPT_CHARS": "5", "STREAMING_LAB_HISTORY_TOKENS": "x",
                               "STREAMING_LAB_CACHE_PATH": "/tmp/c.sqlite"})
    assert config.max_prompt_chars == 100 and config.history_tokens == ChatConfig().history_tokens
    assert config.cache_path == "/tmp/c.sqlite"


def test_store_config_from_secrets_and_environment() -> None:
    assert store_config_from({}, {}).redis_url == ""
    config = store_config_from({"STREAMING_LAB_STREAM_TTL": 30},
                               {"STREAMING_LAB_REDIS_URL": "redis://h:6379/0",
                                "STREAMING_LAB_STORE_MAX_MB": "8", "STREAMING_LAB_CHAT_TTL": "x"})
    assert (config.redis_url, config.stream_ttl, config.max_mb) == ("redis://h:6379/0", 30.0, 8)
    assert config.chat_ttl == 7 * 24 * 3600


@pytest.mark.parametrize("read, name, field", [
    (provider_settings_from, "OPENAI_BASE_URL", "base_url"),
    (chat_config_from, "STREAMING_LAB_CACHE_PATH", "cache_path"),
    (store_config_from, "STREAMING_LAB_REDIS_URL", "redis_url"),
])
def test_one_rule_for_every_setting_a_blank_secret_never_hides_the_environment(read, name, field) -> None:
    for blank in ("", "   "):
        assert getattr(read({name: blank}, {name: "/from-env"}), field) == "/from-env"
    assert getattr(read({name: "/from-secrets"}, {name: "/from-env"}), field) == "/from-secrets"


def test_a_relative_cache_path_is_taken_from_the_app_not_the_working_directory() -> None:
    assert chat_config_from({}, {"STREAMING_LAB_CACHE_PATH": "c/x.sqlite"}).cache_path == str(
        APP_ROOT / "c" / "x.sqlite")
    assert chat_config_from({}, {}).cache_path.startswith(str(APP_ROOT))
