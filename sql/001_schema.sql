-- 001_schema.sql -- tenants, users, keys, tracks, collections and their
-- ordered memberships.  InnoDB, utf8mb4 with binary collation (text is
-- stored and compared exactly), an explicit primary key on every table and
-- no reliance on auto-increment: Galera-safe.  Times are UTC.

CREATE TABLE organizations (
  id          VARCHAR(64)  NOT NULL,
  name        VARCHAR(255) NULL,
  created_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE users (
  id          CHAR(16)     NOT NULL,           -- usr_ + 12 hex
  email       VARCHAR(320) NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE memberships (
  org_id      VARCHAR(64)  NOT NULL,
  user_id     CHAR(16)     NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (org_id, user_id),
  KEY memberships_user (user_id),
  CONSTRAINT memberships_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT memberships_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE membership_capabilities (
  org_id      VARCHAR(64)  NOT NULL,
  user_id     CHAR(16)     NOT NULL,
  capability  VARCHAR(64)  NOT NULL,
  PRIMARY KEY (org_id, user_id, capability),
  CONSTRAINT capabilities_membership FOREIGN KEY (org_id, user_id)
    REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Only the SHA-256 of a key is stored; the raw key is shown once.
CREATE TABLE api_keys (
  id          CHAR(16)     NOT NULL,           -- key_ + 12 hex
  user_id     CHAR(16)     NOT NULL,
  key_hash    BINARY(32)   NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  revoked_at  DATETIME(6)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY api_keys_hash (key_hash),
  KEY api_keys_user (user_id),
  CONSTRAINT api_keys_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE tracks (
  id          CHAR(19)     NOT NULL,           -- mtrack_ + 12 hex
  org_id      VARCHAR(64)  NOT NULL,
  user_id     CHAR(16)     NOT NULL,
  title       VARCHAR(512) NULL,
  created_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  KEY tracks_org (org_id),
  CONSTRAINT tracks_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT tracks_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- track_count is the stored number of collection_tracks rows; deleted_at
-- marks a soft delete.  collections_owner serves the list query (owner's
-- live collections, newest first, equal seconds by id) without a sort.
CREATE TABLE collections (
  id              CHAR(18)      NOT NULL,      -- mcoll_ + 12 hex
  org_id          VARCHAR(64)   NOT NULL,
  user_id         CHAR(16)      NOT NULL,
  name            VARCHAR(512)  NOT NULL,
  description     TEXT          NULL,
  cover_track_id  CHAR(19)      NULL,
  cover_image_url VARCHAR(1024) NULL,
  track_count     INT UNSIGNED  NOT NULL DEFAULT 0,
  created_at      DATETIME      NOT NULL,      -- seconds: equal times sort by id
  updated_at      DATETIME(6)   NOT NULL,
  deleted_at      DATETIME(6)   NULL,
  PRIMARY KEY (id),
  KEY collections_owner (org_id, user_id, deleted_at, created_at, id),
  KEY collections_cover (cover_track_id),
  CONSTRAINT collections_org FOREIGN KEY (org_id) REFERENCES organizations (id),
  CONSTRAINT collections_user FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT collections_cover FOREIGN KEY (cover_track_id) REFERENCES tracks (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Ordered membership: positions are 0..track_count-1, one track at most once.
CREATE TABLE collection_tracks (
  collection_id CHAR(18)     NOT NULL,
  track_id      CHAR(19)     NOT NULL,
  position      INT UNSIGNED NOT NULL,
  added_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (collection_id, track_id),
  UNIQUE KEY collection_tracks_position (collection_id, position),
  KEY collection_tracks_track (track_id),
  CONSTRAINT collection_tracks_collection FOREIGN KEY (collection_id) REFERENCES collections (id),
  CONSTRAINT collection_tracks_track FOREIGN KEY (track_id) REFERENCES tracks (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
