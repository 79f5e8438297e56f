/*
 * Office test host: a small stand-in for Outlook + office.js, injected into browser tests with
 * context.addInitScript (see ./index.ts and ./README.md). Outside Outlook the real office.js resolves
 * Office.onReady with host null and has no mailbox, so browser tests need something that plays Outlook's part.
 *
 * It provides what the pane uses, with the shapes of @types/office-js:
 *   Office.onReady / Office.initialize, Office.context.{host, platform, diagnostics, requirements.isSetSupported}
 *   Office.context.mailbox.{item, userProfile, convertToRestId, addHandlerAsync, removeHandlerAsync, diagnostics}
 *   Office.context.ui.displayDialogAsync (a real popup window; its pages get Office.context.ui.messageParent)
 *   Office.EventType, Office.AsyncResultStatus, Office.HostType, Office.PlatformType, Office.MailboxEnums
 *   window.nestedAppAuthBridge (Outlook's nested app authentication bridge, as MSAL's BridgeProxy talks to it)
 * and a driver for the test: window.__testHost (selectItem, setToken, failNextDialog, log).
 *
 * Plain ES2020 with no imports: it is injected as text, before any page script runs, into every page of the
 * browser context (the pane and the dialog windows it opens). Options come from window.__testHostOptions.
 */
(() => {
  "use strict";
  if (window.__testHost) return;

  const options = window.__testHostOptions || {};
  const DIALOG_PREFIX = "officeTestHostDialog";
  const isDialog = typeof window.name === "string" && window.name.startsWith(DIALOG_PREFIX) && !!window.opener;

  const EventType = {
    ItemChanged: "olkItemSelectedChanged",
    DialogMessageReceived: "dialogMessageReceived",
    DialogEventReceived: "dialogEventReceived",
    DialogParentMessageReceived: "dialogParentMessageReceived",
  };
  const AsyncResultStatus = { Succeeded: "succeeded", Failed: "failed" };
  const HostType = { Outlook: "Outlook" };
  const PlatformType = { OfficeOnline: "OfficeOnline" };
  const MailboxEnums = {
    RestVersion: { v1_0: "v1.0", v2_0: "v2.0", Beta: "beta" },
    ItemType: { Message: "message", Appointment: "appointment" },
    EntityType: {},
  };

  /** Requirement sets Outlook on the web offers; tests can narrow them (e.g. no NestedAppAuth). */
  const supportedSets = Object.assign(
    { Mailbox: "1.5", DialogApi: "1.1", IdentityAPI: "1.3" },
    options.naa === false ? {} : { NestedAppAuth: "1.1" },
    options.supportedSets || {},
  );

  const log = [];
  const record = (type, detail) => log.push(Object.assign({ type, at: Date.now() }, detail || {}));

  const compareVersions = (a, b) => {
    const pa = String(a).split(".").map(Number);
    const pb = String(b).split(".").map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const d = (pa[i] || 0) - (pb[i] || 0);
      if (d !== 0) return d;
    }
    return 0;
  };

  const asyncResult = (status, value, error, asyncContext) => ({
    status,
    value,
    error: error ? { code: error.code, name: error.name || String(error.code), message: error.message || "" } : undefined,
    asyncContext,
    diagnostics: undefined,
  });

  /** Office's callbacks never run synchronously. */
  const later = (fn) => setTimeout(fn, 0);

  /** Office.js overloads: (eventType, handler, [options], [callback]). */
  const splitOptionsAndCallback = (a, b) => (typeof a === "function" ? { opts: undefined, cb: a } : { opts: a, cb: b });

  // ------------------------------------------------------------------ the mailbox item

  /** Test description → an item with Office's shapes (EmailAddressDetails, Date for dateTimeCreated). */
  const toEmailDetails = (a) =>
    a ? { displayName: a.displayName || a.name || a.emailAddress || a.address || "", emailAddress: a.emailAddress || a.address || "", recipientType: a.recipientType || "externalUser" } : null;

  const toItem = (d) => {
    if (!d) return null;
    const created = d.dateTimeCreated ? new Date(d.dateTimeCreated) : new Date();
    return {
      itemType: d.itemType || MailboxEnums.ItemType.Message,
      itemClass: d.itemClass || "IPM.Note",
      itemId: d.itemId || "",
      internetMessageId: d.internetMessageId || "",
      conversationId: d.conversationId || "",
      subject: d.subject || "",
      normalizedSubject: (d.subject || "").replace(/^(re|fw|fwd):\s*/i, ""),
      from: toEmailDetails(d.from),
      sender: toEmailDetails(d.sender || d.from),
      to: (d.to || []).map(toEmailDetails),
      cc: (d.cc || []).map(toEmailDetails),
      dateTimeCreated: created,
      dateTimeModified: d.dateTimeModified ? new Date(d.dateTimeModified) : created,
      attachments: [],
      body: {
        getAsync(_coercion, a, b) {
          const { cb } = splitOptionsAndCallback(a, b);
          if (cb) later(() => cb(asyncResult(AsyncResultStatus.Succeeded, d.body || "")));
        },
      },
    };
  };

  const handlers = new Map(); // eventType → Set of handlers

  const userProfile = Object.assign(
    { displayName: "Test User", emailAddress: "test.user@example.com", timeZone: "UTC", accountType: "enterprise" },
    options.user || {},
  );

  const mailbox = {
    item: toItem(options.item),
    userProfile,
    diagnostics: { hostName: "OutlookWebApp", hostVersion: "16.0.0.0", OWAView: "ThreeColumn" },
    restUrl: options.restUrl || "https://outlook.office.com/api",
    /** EWS ids are standard base64; REST ids are the URL-safe variant (documented behaviour). */
    convertToRestId(itemId, restVersion) {
      if (typeof itemId !== "string") throw new Error("convertToRestId: itemId must be a string");
      if (!restVersion) throw new Error("convertToRestId: restVersion is required");
      return itemId.replace(/\//g, "-").replace(/\+/g, "_");
    },
    convertToEwsId(itemId) {
      return String(itemId).replace(/-/g, "/").replace(/_/g, "+");
    },
    addHandlerAsync(eventType, handler, a, b) {
      const { opts, cb } = splitOptionsAndCallback(a, b);
      if (eventType !== EventType.ItemChanged) {
        if (cb) later(() => cb(asyncResult(AsyncResultStatus.Failed, undefined, { code: 5001, message: `Unsupported event ${eventType}` }, opts && opts.asyncContext)));
        return;
      }
      if (!handlers.has(eventType)) handlers.set(eventType, new Set());
      handlers.get(eventType).add(handler);
      record("addHandler", { eventType });
      if (cb) later(() => cb(asyncResult(AsyncResultStatus.Succeeded, undefined, undefined, opts && opts.asyncContext)));
    },
    /** Mailbox.removeHandlerAsync removes every handler of the event type. */
    removeHandlerAsync(eventType, a, b) {
      const { opts, cb } = splitOptionsAndCallback(a, b);
      handlers.delete(eventType);
      record("removeHandler", { eventType });
      if (cb) later(() => cb(asyncResult(AsyncResultStatus.Succeeded, undefined, undefined, opts && opts.asyncContext)));
    },
  };

  // ------------------------------------------------------------------ dialogs

  let openDialog = null; // only one at a time, like Office
  let nextDialogFailure = null;
  let dialogCount = 0;

  const allowedMessageOrigins = () => {
    const origins = new Set([window.location.origin]);
    for (const d of options.appDomains || []) {
      try {
        origins.add(new URL(d).origin);
      } catch {
        // ignore malformed entries, as Office does
      }
    }
    return origins;
  };

  function displayDialogAsync(startAddress, a, b) {
    const { opts, cb } = splitOptionsAndCallback(a, b);
    const fail = (code, message) => {
      record("dialogFailed", { url: startAddress, code });
      if (cb) later(() => cb(asyncResult(AsyncResultStatus.Failed, undefined, { code, message }, opts && opts.asyncContext)));
    };
    let url;
    try {
      url = new URL(startAddress, window.location.href);
    } catch {
      return fail(12003, "Invalid URL");
    }
    if (nextDialogFailure) {
      const code = nextDialogFailure;
      nextDialogFailure = null;
      return fail(code, "Failure requested by the test");
    }
    if (url.protocol !== "https:") return fail(12005, "The URL must use https");
    if (url.origin !== window.location.origin) return fail(12004, "The first page of a dialog must be on the add-in's domain");
    if (openDialog && !openDialog.window.closed) return fail(12007, "A dialog is already open");

    const widthPct = (opts && opts.width) || 80;
    const heightPct = (opts && opts.height) || 80;
    const features = `popup,width=${Math.round((screen.availWidth * widthPct) / 100)},height=${Math.round((screen.availHeight * heightPct) / 100)}`;
    const name = `${DIALOG_PREFIX}-${++dialogCount}`;
    const popup = window.open(url.href, name, features);
    if (!popup) return fail(12011, "The browser blocked the dialog window");

    const dialogHandlers = new Map();
    const fire = (type, arg) => {
      for (const h of dialogHandlers.get(type) || []) {
        try {
          h(arg);
        } catch (e) {
          setTimeout(() => {
            throw e;
          });
        }
      }
    };
    const state = { window: popup, closedByAddIn: false };
    openDialog = state;
    record("dialogOpened", { url: url.href, name });

    const onMessage = (event) => {
      if (event.source !== popup || !event.data || event.data.__officeTestHost !== "messageParent") return;
      if (!allowedMessageOrigins().has(event.origin)) {
        record("dialogMessageDropped", { origin: event.origin });
        return;
      }
      record("dialogMessage", { message: event.data.message, origin: event.origin });
      fire(EventType.DialogMessageReceived, { type: EventType.DialogMessageReceived, message: event.data.message, origin: event.origin });
    };
    window.addEventListener("message", onMessage);
    const watch = setInterval(() => {
      if (!popup.closed) return;
      clearInterval(watch);
      window.removeEventListener("message", onMessage);
      if (openDialog === state) openDialog = null;
      if (!state.closedByAddIn) {
        record("dialogClosedByUser", {});
        fire(EventType.DialogEventReceived, { type: EventType.DialogEventReceived, error: 12006 });
      }
    }, 100);

    const dialog = {
      addEventHandler(eventType, handler) {
        if (!dialogHandlers.has(eventType)) dialogHandlers.set(eventType, new Set());
        dialogHandlers.get(eventType).add(handler);
        return true;
      },
      close() {
        state.closedByAddIn = true;
        record("dialogClosedByAddIn", {});
        try {
          popup.close();
        } catch {
          // already gone
        }
      },
      messageChild(message) {
        popup.postMessage({ __officeTestHost: "messageChild", message }, "*");
      },
      sendMessage(message) {
        this.messageChild(message);
      },
    };
    if (cb) later(() => cb(asyncResult(AsyncResultStatus.Succeeded, dialog, undefined, opts && opts.asyncContext)));
  }

  const ui = isDialog
    ? {
        messageParent(message) {
          if (typeof message !== "string" && typeof message !== "boolean") throw new Error("messageParent accepts strings or booleans");
          window.opener.postMessage({ __officeTestHost: "messageParent", message: String(message) }, "*");
        },
        addHandlerAsync(eventType, handler, a, b) {
          const { cb } = splitOptionsAndCallback(a, b);
          if (eventType === EventType.DialogParentMessageReceived) {
            window.addEventListener("message", (event) => {
              if (event.source === window.opener && event.data && event.data.__officeTestHost === "messageChild") {
                handler({ message: event.data.message, origin: event.origin, type: eventType });
              }
            });
          }
          if (cb) later(() => cb(asyncResult(AsyncResultStatus.Succeeded)));
        },
      }
    : {
        displayDialogAsync,
        openBrowserWindow(url) {
          window.open(url, "_blank", "noopener");
        },
      };

  // ------------------------------------------------------------------ requirements and readiness

  const requirements = {
    isSetSupported(name, minVersion) {
      const have = supportedSets[name];
      if (!have) return false;
      return minVersion === undefined ? true : compareVersions(have, minVersion) >= 0;
    },
  };

  const info = { host: HostType.Outlook, platform: PlatformType.OfficeOnline };
  const context = {
    host: HostType.Outlook,
    platform: PlatformType.OfficeOnline,
    contentLanguage: options.language || "en-US",
    displayLanguage: options.language || "en-US",
    diagnostics: { host: HostType.Outlook, platform: PlatformType.OfficeOnline, version: "16.0.0.0" },
    requirements,
    ui,
  };
  if (!isDialog) context.mailbox = mailbox;

  const ready = new Promise((resolve) => later(() => resolve(info)));
  const Office = {
    EventType,
    AsyncResultStatus,
    HostType,
    PlatformType,
    MailboxEnums,
    context,
    initialize: undefined,
    onReady(callback) {
      return ready.then((value) => {
        if (typeof callback === "function") callback(value);
        return value;
      });
    },
  };
  ready.then(() => {
    if (typeof Office.initialize === "function") Office.initialize("");
  });
  window.Office = Office;

  // ------------------------------------------------------------------ nested app authentication bridge

  let tokenOverride = null; // { accessToken, account?, expiresIn? } or { error }

  const b64url = (obj) => btoa(unescape(encodeURIComponent(JSON.stringify(obj)))).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

  const naaOptions = options.naa === false ? null : Object.assign({}, options.naa || {});
  const accountFor = () => {
    const a = Object.assign(
      {
        tenantId: "00000000-0000-0000-0000-000000000001",
        localAccountId: "00000000-0000-0000-0000-0000000000a1",
        environment: "login.microsoftonline.com",
        username: userProfile.emailAddress,
        name: userProfile.displayName,
      },
      (naaOptions && naaOptions.account) || {},
    );
    a.homeAccountId = a.homeAccountId || `${a.localAccountId}.${a.tenantId}`;
    return a;
  };

  /** MSAL only decodes the id token, it doesn't verify it: an unsigned JWT with the account's claims. */
  const idTokenFor = (account, clientId) => {
    const now = Math.floor(Date.now() / 1000);
    return `${b64url({ alg: "none", typ: "JWT" })}.${b64url({
      aud: clientId || "test-client",
      iss: `https://${account.environment}/${account.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: account.name,
      oid: account.localAccountId,
      preferred_username: account.username,
      sub: account.localAccountId,
      tid: account.tenantId,
      ver: "2.0",
    })}.`;
  };

  async function tokenFor(request) {
    const params = request.tokenParams || {};
    if (tokenOverride && tokenOverride.error) return { error: tokenOverride.error };
    let accessToken = tokenOverride && tokenOverride.accessToken;
    let expiresIn = (tokenOverride && tokenOverride.expiresIn) || 3600;
    // A test can mint real tokens (e.g. from the emulator) through an exposed function.
    if (!accessToken && typeof window.__testHostGetToken === "function") {
      const minted = await window.__testHostGetToken({ scope: params.scope, clientId: params.clientId, method: request.method });
      if (minted && minted.error) return { error: minted.error };
      accessToken = minted && (minted.accessToken || minted.access_token);
      expiresIn = (minted && (minted.expiresIn || minted.expires_in)) || expiresIn;
    }
    if (!accessToken) accessToken = (naaOptions && naaOptions.accessToken) || null;
    if (!accessToken) return { error: { status: "AccountUnavailable", code: "no_token", description: "The test host has no token to give" } };
    const account = accountFor();
    return {
      token: {
        access_token: accessToken,
        id_token: idTokenFor(account, params.clientId),
        expires_in: expiresIn,
        scope: params.scope,
        token_type: "Bearer",
      },
      account,
    };
  }

  if (naaOptions && !isDialog) {
    const listeners = new Set();
    const respond = (payload) => {
      const text = JSON.stringify(payload);
      for (const l of listeners) later(() => l(text));
    };
    window.nestedAppAuthBridge = {
      addEventListener(type, listener) {
        if (type === "message") listeners.add(listener);
      },
      removeEventListener(type, listener) {
        if (type === "message") listeners.delete(listener);
      },
      async postMessage(text) {
        const request = JSON.parse(text);
        record("naaRequest", { method: request.method });
        const base = { messageType: "NestedAppAuthResponse", requestId: request.requestId };
        if (request.method === "GetInitContext") {
          respond(Object.assign(base, {
            success: true,
            initContext: { sdkName: "office-test-host", sdkVersion: "1.0.0", capabilities: { queryAccountSupport: false } },
          }));
          return;
        }
        if (request.method === "GetToken" || request.method === "GetTokenPopup") {
          const result = await tokenFor(request);
          if (result.error) respond(Object.assign(base, { success: false, error: result.error }));
          else respond(Object.assign(base, { success: true, token: result.token, account: result.account }));
          return;
        }
        respond(Object.assign(base, { success: false, error: { status: "PersistentError", code: "unsupported", description: request.method } }));
      },
    };
  }

  // ------------------------------------------------------------------ the test's controls

  window.__testHost = {
    isDialog,
    log,
    /** Select another message (or null: nothing selected) and fire ItemChanged, as a pinned pane sees it. */
    selectItem(description) {
      mailbox.item = toItem(description);
      record("selectItem", { internetMessageId: description ? description.internetMessageId : null });
      const set = handlers.get(EventType.ItemChanged);
      for (const h of set || []) later(() => h({ type: EventType.ItemChanged }));
      return set ? set.size : 0;
    },
    /** Change what the NAA bridge hands out: { accessToken } or { error: { status, code, description } }; null resets. */
    setToken(value) {
      tokenOverride = value;
    },
    /** Make the next displayDialogAsync fail with an Office error code (12004, 12005, 12007, 12009, 12011). */
    failNextDialog(code) {
      nextDialogFailure = code;
    },
    handlerCount(eventType) {
      const set = handlers.get(eventType || EventType.ItemChanged);
      return set ? set.size : 0;
    },
  };
})();
