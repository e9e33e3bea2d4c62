package com.dts.apm.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Outcome;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The token endpoint's answers as Google and Microsoft send them (bodies from public issue threads, ids changed). */
class TokenAnswersTest {
    private static final Secret SENT = Secret.of("1//0sent-refresh-token");

    static Stream<Arguments> refusals() {
        return Stream.of(
                // Google: a revoked or expired grant (developers.google.com/identity/protocols/oauth2)
                Arguments.of(
                        "google",
                        400,
                        "{\n  \"error\": \"invalid_grant\",\n  \"error_description\": \"Token has been expired or revoked.\"\n}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: Token has been expired or revoked."),
                Arguments.of(
                        "google",
                        400,
                        "{\"error\": \"invalid_grant\", \"error_description\": \"Bad Request\"}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: Bad Request"),
                Arguments.of(
                        "google",
                        401,
                        "{\"error\": \"invalid_client\", \"error_description\": \"The OAuth client was not found.\"}",
                        Outcome.PROTOCOL_ERROR,
                        "OAuth app google was refused by its token endpoint: invalid_client: The OAuth client was not found."),
                Arguments.of(
                        "google",
                        400,
                        "{\"error\": \"unauthorized_client\", \"error_description\": \"Unauthorized\"}",
                        Outcome.PROTOCOL_ERROR,
                        "OAuth app google was refused by its token endpoint: unauthorized_client: Unauthorized"),
                // Microsoft: 90 days unused (Azure/azure-cli#14244)
                Arguments.of(
                        "microsoft",
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2020-02-26T21:52:54.2810613Z and was inactive for 90.00:00:00.\\r\\nTrace ID: 6e94ade5-10de-4d67-909a-14d845813500\\r\\nCorrelation ID: 0e87b495-1e24-4882-be85-d012c216f4f6\\r\\nTimestamp: 2020-07-06 22:31:52Z\",\"error_codes\":[700082],\"timestamp\":\"2020-07-06 22:31:52Z\",\"trace_id\":\"6e94ade5-10de-4d67-909a-14d845813500\",\"correlation_id\":\"0e87b495-1e24-4882-be85-d012c216f4f6\",\"error_uri\":\"https://login.microsoftonline.com/error?code=700082\"}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2020-02-26T21:52:54.2810613Z and was inactive for 90.00:00:00."),
                // Microsoft: the password was changed or reset
                Arguments.of(
                        "microsoft",
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '2023-03-01T10:00:00.0000000Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2023-04-02T09:00:00.0000000Z'.\\r\\nTrace ID: 1b2c\\r\\nCorrelation ID: 3d4e\\r\\nTimestamp: 2023-04-03 08:00:00Z\",\"error_codes\":[50173]}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '2023-03-01T10:00:00.0000000Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2023-04-02T09:00:00.0000000Z'."),
                // Microsoft: multi-factor authentication now required (an admin policy)
                Arguments.of(
                        "microsoft",
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.\\r\\nTrace ID: a\\r\\nCorrelation ID: b\\r\\nTimestamp: 2024-01-01 00:00:00Z\",\"error_codes\":[50076],\"suberror\":\"basic_action\"}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'."),
                Arguments.of(
                        "microsoft",
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.\",\"error_codes\":[50079]}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'."),
                // Microsoft: consent revoked or never given for a scope
                Arguments.of(
                        "microsoft",
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS65001: The user or administrator has not consented to use the application with ID 'a1b2' named 'DTS System'. Send an interactive authorization request for this user and resource.\\r\\nTrace ID: x\",\"error_codes\":[65001],\"suberror\":\"consent_required\"}",
                        Outcome.TOKEN_REVOKED,
                        "invalid_grant: AADSTS65001: The user or administrator has not consented to use the application with ID 'a1b2' named 'DTS System'. Send an interactive authorization request for this user and resource."),
                Arguments.of(
                        "microsoft",
                        401,
                        "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\\r\\nTrace ID: q\",\"error_codes\":[7000215]}",
                        Outcome.PROTOCOL_ERROR,
                        "OAuth app microsoft was refused by its token endpoint: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."),
                Arguments.of(
                        "microsoft",
                        429,
                        "{\"error\":\"temporarily_unavailable\"}",
                        Outcome.RATE_LIMITED,
                        "token endpoint of OAuth app microsoft is throttling (HTTP 429): temporarily_unavailable"),
                Arguments.of(
                        "google",
                        429,
                        "",
                        Outcome.RATE_LIMITED,
                        "token endpoint of OAuth app google is throttling (HTTP 429): HTTP 429"),
                Arguments.of(
                        "google",
                        503,
                        "<html>Service Unavailable</html>",
                        Outcome.NETWORK_ERROR,
                        "token endpoint of OAuth app google failed (HTTP 503): HTTP 503"),
                Arguments.of(
                        "microsoft",
                        400,
                        "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS90033: A transient error has occurred. Please try again.\"}",
                        Outcome.NETWORK_ERROR,
                        "token endpoint of OAuth app microsoft failed (HTTP 400): temporarily_unavailable: AADSTS90033: A transient error has occurred. Please try again."),
                Arguments.of(
                        "google",
                        404,
                        "<html>Not Found</html>",
                        Outcome.PROTOCOL_ERROR,
                        "token endpoint of OAuth app google answered HTTP 404: (no OAuth error in the body)"),
                Arguments.of(
                        "google",
                        200,
                        "{\"token_type\":\"Bearer\"}",
                        Outcome.PROTOCOL_ERROR,
                        "token endpoint of OAuth app google answered 200 without an access_token"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void classifiesTheEndpointsRefusals(String app, int status, String body, Outcome outcome, String detail) {
        var answer = TokenAnswers.classify(app, status, body, SENT);
        assertThat(answer).isEqualTo(new TokenAnswer.Refused(outcome, detail));
        assertThat(((TokenAnswer.Refused) answer).detail()).doesNotContain(SENT.reveal());
    }

    @Test
    void googleGrantsAnAccessTokenAndKeepsTheRefreshToken() {
        var answer = (TokenAnswer.Granted) TokenAnswers.classify(
                "google",
                200,
                "{\"access_token\": \"ya29.a0AfB_byC\", \"expires_in\": 3599, \"scope\": \"https://mail.google.com/\", \"token_type\": \"Bearer\"}",
                SENT);
        assertThat(answer.accessToken().reveal()).isEqualTo("ya29.a0AfB_byC");
        assertThat(answer.lifetime()).isEqualTo(Duration.ofSeconds(3599));
        assertThat(answer.rotated()).isNull();
    }

    @Test
    void microsoftRotatesTheRefreshToken() {
        var answer = (TokenAnswer.Granted) TokenAnswers.classify(
                "microsoft",
                200,
                "{\"token_type\":\"Bearer\",\"scope\":\"https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send\",\"expires_in\":4146,\"ext_expires_in\":4146,\"access_token\":\"EwBIA8l6\",\"refresh_token\":\"M.C507_BAY.0.U.-new\"}",
                SENT);
        assertThat(answer.rotated().reveal()).isEqualTo("M.C507_BAY.0.U.-new");
        assertThat(answer.lifetime()).isEqualTo(Duration.ofSeconds(4146));
    }

    @Test
    void theSameRefreshTokenReturnedIsNoRotation() {
        var answer = (TokenAnswer.Granted) TokenAnswers.classify(
                "google", 200, "{\"access_token\":\"a\",\"refresh_token\":\"" + SENT.reveal() + "\"}", SENT);
        assertThat(answer.rotated()).isNull();
        assertThat(answer.lifetime()).isEqualTo(TokenAnswers.DEFAULT_LIFETIME);
    }

    @Test
    void noAnswerIsTheNetworksFaultAndABadCertificateIsOps() {
        assertThat(TokenAnswers.failed("google", new HttpTimeoutException("request timed out")))
                .extracting(a -> ((TokenAnswer.Refused) a).outcome())
                .isEqualTo(Outcome.NETWORK_ERROR);
        assertThat(TokenAnswers.failed("google", new ConnectException("Connection refused")))
                .extracting(a -> ((TokenAnswer.Refused) a).outcome())
                .isEqualTo(Outcome.NETWORK_ERROR);
        assertThat(TokenAnswers.failed("google", new SSLHandshakeException("PKIX path building failed")))
                .extracting(a -> ((TokenAnswer.Refused) a).outcome())
                .isEqualTo(Outcome.TLS_ERROR);
    }
}
