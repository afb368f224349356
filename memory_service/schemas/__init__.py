"""Public API schemas (pydantic), shared by the REST routes and the SDK, one module per family.

Named by role: ``*Create`` / ``*Request`` come in, ``*Public`` / ``*Page`` / ``*Response`` go out.
Imports only pydantic and the domain values, so the HTTP SDK stays light.
"""

from memory_service.schemas.common import (
    ErrorDetail,
    ErrorResponse,
    Identifier,
    ItemsPage,
    PublicModel,
    RequestModel,
)
from memory_service.schemas.episodic import (
    EpisodePublic,
    EpisodesForgotten,
    EpisodesPage,
    MessageCreate,
    MessagesCreate,
    MessagesCreated,
    SessionPublic,
    SessionsPage,
    UserDeleted,
)
from memory_service.schemas.graph import (
    GraphEdgePublic,
    GraphEdgesPage,
    GraphEntitiesPage,
    GraphEntityDetailPublic,
    GraphEntityPublic,
    GraphNeighborPublic,
    GraphNeighborsResponse,
)
from memory_service.schemas.profile import ProfileEntryPublic, ProfilePublic, ProfileSectionPublic
from memory_service.schemas.search import SearchFilters, SearchRequest, SearchResponse, SearchResult, TimeRangeIn
from memory_service.schemas.security import (
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeysPage,
    AuditEventPublic,
    AuditEventsPage,
    KeyCreate,
)
from memory_service.schemas.semantic import (
    ExtractionStatus,
    MemoriesPage,
    MemoryChangePublic,
    MemoryCreate,
    MemoryHistory,
    MemoryPublic,
    MemoryUpdate,
)

__all__ = [
    "ApiKeyCreated",
    "ApiKeyPublic",
    "ApiKeysPage",
    "AuditEventPublic",
    "AuditEventsPage",
    "EpisodePublic",
    "EpisodesForgotten",
    "EpisodesPage",
    "ErrorDetail",
    "ErrorResponse",
    "ExtractionStatus",
    "GraphEdgePublic",
    "GraphEdgesPage",
    "GraphEntitiesPage",
    "GraphEntityDetailPublic",
    "GraphEntityPublic",
    "GraphNeighborPublic",
    "GraphNeighborsResponse",
    "Identifier",
    "ItemsPage",
    "KeyCreate",
    "MemoriesPage",
    "MemoryChangePublic",
    "MemoryCreate",
    "MemoryHistory",
    "MemoryPublic",
    "MemoryUpdate",
    "MessageCreate",
    "MessagesCreate",
    "MessagesCreated",
    "ProfileEntryPublic",
    "ProfilePublic",
    "ProfileSectionPublic",
    "PublicModel",
    "RequestModel",
    "SearchFilters",
    "SearchRequest",
    "SearchResponse",
    "SearchResult",
    "SessionPublic",
    "SessionsPage",
    "TimeRangeIn",
    "UserDeleted",
]
