def api_client_for(user):
    """A DRF test client authenticated as `user`, with `.user` set for the test's convenience."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    client.user = user
    return client
