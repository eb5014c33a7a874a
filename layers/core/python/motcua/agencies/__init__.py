"""Agencies (cơ quan, đơn vị) of the province and their beneficiary accounts (tài khoản thụ hưởng)."""
