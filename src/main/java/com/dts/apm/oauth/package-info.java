/**
 * OAuth mailboxes: trading a dealer's stored refresh token for an access token at the OAuth app's token endpoint,
 * keeping that access token in memory until shortly before it expires (one refresh per grant at a time), and
 * classifying the token endpoint's answers into outcomes.
 */
package com.dts.apm.oauth;
