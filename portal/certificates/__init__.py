"""Certificates: issued for an achievement, printed as a PDF in English and Chinese, verified by code.

- `issue`: `issue_certificate` (the contract for onboarding and contests) and the codes;
- `records`: a person's certificates, the admin's look-up by code, expiry;
- `pdf`: the certificate as a PDF.
"""
from portal.certificates.issue import issue_certificate

__all__ = ["issue_certificate"]
