"""Printable forms of the dossier (Mẫu 01–04, TT 03/2025) rendered from plain data; see ``motcua.forms.pdf``."""
