"""Any 27.007 modem we do not know better."""
from modems.profiles.base import Profile


class GenericProfile(Profile):
    pass
