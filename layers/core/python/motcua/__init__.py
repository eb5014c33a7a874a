"""motcua: Khánh Hòa's administrative-procedure information system (hệ thống thông tin giải quyết TTHC)."""
