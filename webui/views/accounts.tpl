% rebase('base.tpl', title=_('Accounts'))
<h1>{{_("Accounts")}}</h1>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
<div class="scroll">
<table id="accounts">
<thead><tr><th>{{_("No.")}}</th><th>{{_("Name")}}</th><th>{{_("Balance")}}</th><th>{{_("Held")}}</th><th>{{_("Caller IDs")}}</th><th>{{_("Top up")}}</th></tr></thead>
<tbody>
% for account in accounts:
<tr>
  <td>{{account.number or ""}}</td><td><a href="/admin/accounts/{{account.id}}">{{account.name}}</a>{{' (locked)' if account.locked else ''}}</td>
  <td>{{money(account.balance)}}</td><td>{{money(account.reserved)}}</td>
  <td>{{account.caller_id_count}}</td>
  <td>
    <form method="post" action="/admin/accounts/{{account.id}}/topup" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <input name="amount" aria-label="{{_('amount for {name}').format(name=account.name)}}" placeholder="10.00" size="7" inputmode="decimal" required>
      <input name="note" aria-label="{{_('note')}}" placeholder="{{_('note')}}" size="8" maxlength="200">
      <button type="submit">{{_("Book")}}</button>
    </form>
    % if errors.get('amount%d' % account.id):
    <p class="error">{{errors['amount%d' % account.id]}}</p>
    % end
  </td>
</tr>
% end
</tbody>
</table>
</div>
<h2>{{_("New account")}}</h2>
<form method="post" action="/admin/accounts" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  % for field, label, kind in (('name', _('Name'), 'text'), ('pin', _('PIN (4 to 8 digits, for calls)'), 'password'), ('balance', _('Opening balance'), 'text'), ('password', _('Web password (at least 8 characters)'), 'password')):
  <label for="new-{{field}}">{{label}}</label>
  <input id="new-{{field}}" name="{{field}}" type="{{kind}}" value="{{values.get(field, '') if kind == 'text' else ''}}" autocomplete="off">
  % if errors.get(field):
  <p class="error" id="{{field}}-error">{{errors[field]}}</p>
  % end
  % end
  <button type="submit">{{_("Create")}}</button>
</form>
