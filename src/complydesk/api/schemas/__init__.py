"""Request and response models per domain: XCreate / XPublic."""
