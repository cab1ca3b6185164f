//! OpenID Connect single sign-on, as a relying party: discovery, the authorization code
//! flow with PKCE (S256), a `state` bound to the browser and a `nonce` bound to the ID token,
//! the code exchanged with the client secret, and the ID token verified before anything in
//! it is believed: signature against the provider's published keys (RS256, PS256, ES256;
//! never `none` or a shared-secret algorithm), issuer, audience, expiry and nonce.
//! Groups in the token map to roles by the operator's rules ([`GroupRule`]).

use crate::auth::secret;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// What can go wrong in a sign-in.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered badly.
    #[error("the identity provider: {0}")]
    Provider(String),
    /// The ID token failed verification.
    #[error("the ID token was refused: {0}")]
    Token(String),
}

/// One rule mapping an identity-provider group to a role: `GROUP=ORG[/AUDIT]:ROLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    /// The group as the provider names it.
    pub group: String,
    /// The organization slug.
    pub org: String,
    /// The audit slug, for a role in one audit.
    pub audit: Option<String>,
    /// The role.
    pub role: crate::permissions::Role,
}

impl std::str::FromStr for GroupRule {
    type Err = String;
    fn from_str(s: &str) -> Result<GroupRule, String> {
        let usage = || {
            format!("`{s}`: write GROUP=ORG[/AUDIT]:ROLE, e.g. acme-auditors=acme-inc/soc2-2026:auditor")
        };
        let (group, rest) = s.split_once('=').ok_or_else(usage)?;
        let (scope, role) = rest.rsplit_once(':').ok_or_else(usage)?;
        let role = crate::permissions::Role::parse(role).ok_or_else(|| {
            let names: Vec<&str> = crate::permissions::Role::ALL
                .iter()
                .map(|r| r.name())
                .collect();
            format!("`{s}`: role `{role}` is not one of {}", names.join(", "))
        })?;
        let (org, audit) = match scope.split_once('/') {
            Some((o, a)) => (o, Some(a.to_string())),
            None => (scope, None),
        };
        if group.is_empty() || org.is_empty() {
            return Err(usage());
        }
        Ok(GroupRule {
            group: group.into(),
            org: org.into(),
            audit,
            role,
        })
    }
}

/// How the server signs people in through the provider.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The issuer URL (its `/.well-known/openid-configuration` is read).
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (from the environment only; never logged).
    pub client_secret: String,
    /// Where the provider sends the browser back: `PUBLIC_URL/auth/oidc/callback`.
    pub redirect_uri: String,
    /// Group-to-role rules.
    pub groups: Vec<GroupRule>,
}

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// A relying party bound to one provider.
pub struct Client {
    /// The configuration.
    pub config: OidcConfig,
    meta: Discovery,
    authorize: reqwest::Url,
    keys: tokio::sync::RwLock<JwkSet>,
    http: reqwest::Client,
}

/// A sign-in in progress: what the browser's return must match.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Sent as `state`, kept in a cookie: binds the return to this browser.
    pub state: String,
    /// Sent as `nonce`; the ID token must carry it.
    pub nonce: String,
    /// The PKCE verifier (its S256 challenge was sent).
    pub verifier: String,
}

/// The claims Assay reads from a verified ID token.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Subject: the person at the provider.
    pub sub: String,
    /// The nonce of the flow.
    #[serde(default)]
    pub nonce: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the provider verified the email.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<String>,
}

fn provider(e: impl std::fmt::Display) -> OidcError {
    OidcError::Provider(e.to_string())
}

/// The provider's published signing keys.
async fn fetch_keys(http: &reqwest::Client, uri: &str) -> Result<JwkSet, OidcError> {
    http.get(uri)
        .send()
        .await
        .map_err(provider)?
        .json()
        .await
        .map_err(provider)
}

impl Client {
    /// Reads the provider's discovery document and keys.
    pub async fn discover(config: OidcConfig) -> Result<Client, OidcError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(provider)?;
        let url = format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        );
        let meta: Discovery = http
            .get(&url)
            .send()
            .await
            .map_err(provider)?
            .error_for_status()
            .map_err(provider)?
            .json()
            .await
            .map_err(provider)?;
        if meta.issuer.trim_end_matches('/') != config.issuer.trim_end_matches('/') {
            return Err(OidcError::Provider(format!(
                "the discovery document names issuer {} instead of {}",
                meta.issuer, config.issuer
            )));
        }
        let authorize = reqwest::Url::parse(&meta.authorization_endpoint).map_err(provider)?;
        let keys = fetch_keys(&http, &meta.jwks_uri).await?;
        Ok(Client {
            config,
            meta,
            authorize,
            keys: tokio::sync::RwLock::new(keys),
            http,
        })
    }

    /// Starts a sign-in: the provider URL to send the browser to, and the flow to keep.
    pub fn begin(&self) -> (String, Flow) {
        let flow = Flow {
            state: secret::secret(),
            nonce: secret::secret(),
            verifier: secret::random(48),
        };
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(flow.verifier.as_bytes()));
        let mut url = self.authorize.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri)
            .append_pair("scope", "openid email profile groups")
            .append_pair("state", &flow.state)
            .append_pair("nonce", &flow.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        (url.to_string(), flow)
    }

    /// Exchanges the code for tokens and verifies the ID token; its raw text and claims.
    pub async fn exchange(&self, code: &str, flow: &Flow) -> Result<(String, Claims), OidcError> {
        #[derive(Deserialize)]
        struct Tokens {
            id_token: String,
        }
        let r = self
            .http
            .post(&self.meta.token_endpoint)
            .basic_auth(&self.config.client_id, Some(&self.config.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.config.redirect_uri),
                ("code_verifier", &flow.verifier),
                ("client_id", &self.config.client_id),
            ])
            .send()
            .await
            .map_err(provider)?;
        if !r.status().is_success() {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            return Err(OidcError::Provider(format!(
                "the token endpoint answered {status}: {}",
                body.chars().take(300).collect::<String>()
            )));
        }
        let t: Tokens = r.json().await.map_err(provider)?;
        let claims = self.verify(&t.id_token, &flow.nonce).await?;
        Ok((t.id_token, claims))
    }

    /// Verifies an ID token: signature by a published key, issuer, audience, expiry, nonce.
    pub async fn verify(&self, token: &str, nonce: &str) -> Result<Claims, OidcError> {
        let bad = |e: &dyn std::fmt::Display| OidcError::Token(e.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(|e| bad(&e))?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::PS256
                | Algorithm::ES256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::ES384
        ) {
            return Err(OidcError::Token(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let mut jwk = self.find_key(header.kid.as_deref()).await;
        if jwk.is_none() {
            // Keys rotate: fetch them again once.
            *self.keys.write().await = fetch_keys(&self.http, &self.meta.jwks_uri).await?;
            jwk = self.find_key(header.kid.as_deref()).await;
        }
        let jwk = jwk.ok_or_else(|| {
            OidcError::Token("signed by a key the provider does not publish".into())
        })?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| bad(&e))?;
        let mut v = Validation::new(header.alg);
        v.set_audience(&[&self.config.client_id]);
        v.set_issuer(&[&self.meta.issuer]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.leeway = 60;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &v).map_err(|e| bad(&e))?;
        if !data
            .claims
            .nonce
            .as_deref()
            .is_some_and(|n| secret::same(n, nonce))
        {
            return Err(OidcError::Token(
                "the nonce does not match this sign-in".into(),
            ));
        }
        Ok(data.claims)
    }

    async fn find_key(&self, kid: Option<&str>) -> Option<jsonwebtoken::jwk::Jwk> {
        let keys = self.keys.read().await;
        match kid {
            Some(k) => keys.find(k).cloned(),
            None if keys.keys.len() == 1 => keys.keys.first().cloned(),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_rules_parse_and_explain() {
        let r: GroupRule = "acme-auditors=acme-inc/soc2-2026:auditor"
            .parse()
            .unwrap_or_else(unreachable_rule);
        assert_eq!(
            (r.group.as_str(), r.org.as_str(), r.audit.as_deref(), r.role),
            (
                "acme-auditors",
                "acme-inc",
                Some("soc2-2026"),
                crate::permissions::Role::Auditor
            )
        );
        let r: GroupRule = "eng=acme-inc:contributor"
            .parse()
            .unwrap_or_else(unreachable_rule);
        assert_eq!(r.audit, None);
        assert!("nonsense"
            .parse::<GroupRule>()
            .unwrap_err()
            .contains("GROUP=ORG"));
        assert!("g=acme:king"
            .parse::<GroupRule>()
            .unwrap_err()
            .contains("not one of"));
    }

    #[allow(clippy::panic)]
    fn unreachable_rule(e: String) -> GroupRule {
        panic!("{e}")
    }
}
