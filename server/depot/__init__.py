"""The /depot page: a town hall without network drops the ``.arobase`` bundle from any connected computer."""
