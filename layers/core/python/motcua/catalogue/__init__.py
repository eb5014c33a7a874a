"""Procedure catalogue (danh mục thủ tục hành chính)."""
