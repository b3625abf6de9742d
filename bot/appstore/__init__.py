"""The App Store Connect API client: `client.AppStoreConnect` and the pieces it is built from."""
