// Credentials sent with every script call (replaces xlwings Server's auth.js).
// entraid: the signed-in Microsoft 365 user's token (Office single sign-on).
// jeton: the shared secret stored on this computer under JETON_KEY (see
// docs/deploiement.md, "mode jeton").
const JETON_KEY = "allot-xl-jeton";

globalThis.getAuth = async function () {
  if (config.authProviders.includes("entraid")) {
    return { token: await xlwings.getAccessToken(), provider: "entraid" };
  }
  if (config.authProviders.includes("jeton")) {
    const jeton = globalThis.localStorage?.getItem(JETON_KEY) || "";
    return { token: jeton ? `Bearer ${jeton}` : "", provider: "jeton" };
  }
  return { token: "", provider: "" };
};
