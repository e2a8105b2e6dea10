<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="callbox-formats" content="{{get('formats', '{}')}}">
<title>{{title}} · callbox</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/ui.js"></script>
</head>
<body>
<a class="skip" href="#content">{{_("Skip to content")}}</a>
<header>
  <a class="brand" href="/">callbox</a>
  <nav class="languages" aria-label="{{_('Language')}}">
    % for code, name in languages.items():
    % if code == lang:
    <a href="/language/{{code}}?next={{here}}" lang="{{code}}" hreflang="{{code}}" aria-current="true"><strong>{{name}}</strong></a>
    % else:
    <a href="/language/{{code}}?next={{here}}" lang="{{code}}" hreflang="{{code}}">{{name}}</a>
    % end
    % end
  </nav>
  % if user:
  <button type="button" class="menu" aria-expanded="false" aria-controls="menu">{{_("Menu")}}</button>
  <nav class="main" id="menu" aria-label="{{_('Pages')}}">
    % if user.account_id is not None:
    <a href="/">{{_("Account")}}</a> <a href="/connect">{{_("Connect two")}}</a> <a href="/calls">{{_("History")}}</a>
    <a href="/callerids">{{_("Caller IDs")}}</a> <a href="/pin">{{_("PIN")}}</a> <a href="/sms-help">{{_("SMS help")}}</a>
    <a href="/api-token">{{_("API")}}</a>
    % end
    % if user.is_admin:
    <a href="/admin">{{_("Dashboard")}}</a> <a href="/admin/modems">{{_("Modems")}}</a> <a href="/admin/boxes">{{_("Boxes")}}</a> <a href="/admin/accounts">{{_("Accounts")}}</a>
    <a href="/admin/rates">{{_("Rates")}}</a> <a href="/admin/calls">{{_("Calls")}}</a> <a href="/admin/sms">{{_("SMS")}}</a>
    <a href="/admin/system">{{_("System")}}</a> <a href="/admin/console">{{_("AT console")}}</a> <a href="/admin/audit">{{_("Audit")}}</a>
    <a href="/admin/webhooks">{{_("Webhooks")}}</a> <a href="/admin/alerts">{{_("Alerts")}}</a>
    % end
    % if get("virtual_phones", False):
    <a href="/phones">{{_("Virtual phones")}}</a>
    % end
    <a href="/password">{{_("Password")}}</a>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit" class="link">{{_("Log out {name}").format(name=user.name)}}</button>
    </form>
  </nav>
  % end
</header>
% if get("outage", ""):
<p class="outage" role="alert">{{outage}}</p>
% end
% if get("open_alerts", 0):
<p class="alerts-banner" id="open-alerts" role="alert"><a href="/admin/alerts">{{ngettext("{count} open alert", "{count} open alerts", open_alerts).format(count=open_alerts)}}</a></p>
% end
<main id="content" tabindex="-1" data-columns-more="{{_('Show all columns')}}" data-columns-less="{{_('Show fewer columns')}}">
{{!base}}
</main>
<div id="toast" role="status" aria-live="polite"></div>
</body>
</html>
