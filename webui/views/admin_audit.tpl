% rebase('base.tpl', title=_('Audit'))
<h1>{{_("Audit")}}</h1>
<p class="hint">{{_("Every change to accounts, money, PINs, caller IDs, logins, rates and the blocklist: who made it, how, from where. Newest first.")}}</p>
<form method="get" action="/admin/audit" class="card" id="audit-filter">
  <label for="account">{{_("Account (name or number)")}}</label>
  <input id="account" name="account" value="{{account}}" maxlength="64" autocomplete="off">
  <label for="actor">{{_("Who (web login, OS user, phone number)")}}</label>
  <input id="actor" name="actor" value="{{actor}}" maxlength="100" autocomplete="off">
  <button type="submit">{{_("Filter")}}</button>
  % if account or actor:
  <a href="/admin/audit">{{_("show all")}}</a>
  % end
</form>
% if error:
<p class="error" id="error">{{error}}</p>
% end
% if records is not None:
<div class="scroll">
<table id="audit">
<thead><tr><th>{{_("When")}}</th><th>{{_("Who")}}</th><th>{{_("How")}}</th><th>{{_("From")}}</th><th>{{_("Action")}}</th><th>{{_("Account")}}</th><th>{{_("What")}}</th></tr></thead>
<tbody>
% for row in records.rows:
<tr data-id="{{row.id}}"><td>{{when(row.at)}}</td>
  <td><a href="{{actor_link(row.actor)}}">{{row.actor}}</a></td>
  % # English shows the trail's own ids (as the JSON API); another language its words for them
  <td>{{row.via if lang == 'en' else stored_word(row.via)}}</td><td>{{row.address}}</td><td data-action="{{row.action}}">{{row.action if lang == 'en' else stored_word(row.action)}}</td>
  <td>
  % if row.account_id is not None:
    <a href="/admin/accounts/{{row.account_id}}">{{row.account.name}}</a>
  % end
  </td>
  <td>{{row.detail}}</td></tr>
% end
</tbody>
</table>
</div>
% if not records.rows:
<p id="none">{{_('No changes recorded for these filters.') if account or actor else _('No changes recorded yet.')}}</p>
% end
% include('pager.tpl', page=records, link=link)
% end
