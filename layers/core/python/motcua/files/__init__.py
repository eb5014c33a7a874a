"""Component files (tệp thành phần hồ sơ): uploads through presigned S3 POSTs, and reuse of earlier results
(ND 107/2021: the state does not ask again for what it already holds)."""
