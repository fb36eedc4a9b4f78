"""Server-rendered pages for end users. Each module owns one journey and its own `urlpatterns`;
views stay thin and call the same services and selectors as the API."""
