"""What the API and the web pages answer alike: French errors (problem+json or the page's handler)
and file attachments. Both `cmq.api` and `cmq.web` import it; it imports neither."""
