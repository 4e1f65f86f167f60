from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'base.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_site = resolve('site')
    l_0_edition = resolve('edition')
    l_0_site_address = resolve('site_address')
    l_0_canonical = resolve('canonical')
    l_0_json_ld = resolve('json_ld')
    l_0_site_url = resolve('site_url')
    l_0_latest = resolve('latest')
    l_0_draft_changed = resolve('draft_changed')
    l_0_url = resolve('url')
    l_0_this_path = resolve('this_path')
    l_0_nav = resolve('nav')
    l_0_editions = resolve('editions')
    l_0_attribution = resolve('attribution')
    l_0_baseline = resolve('baseline')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    try:
        t_3 = environment.filters['reverse']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'reverse' found.")
    pass
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'language'))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
    yield from context.blocks['title'][0](context)
    if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release'):
        pass
        yield ' · version '
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'label'))
    else:
        pass
        yield ' · draft'
    yield '</title>\n<meta name="description" content="'
    yield from context.blocks['description'][0](context)
    yield '">\n<meta name="color-scheme" content="light dark">\n'
    if (undefined(name='site_address') if l_0_site_address is missing else l_0_site_address):
        pass
        yield '<link rel="canonical" href="'
        yield escape(context.call((undefined(name='site_address') if l_0_site_address is missing else l_0_site_address), (undefined(name='canonical') if l_0_canonical is missing else l_0_canonical)))
        yield '">\n'
    if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release'):
        pass
        yield '<meta name="citation_title" content="'
        yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
        yield '">\n'
        for l_1_name in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'authors'):
            _loop_vars = {}
            pass
            yield '<meta name="citation_author" content="'
            yield escape(l_1_name)
            yield '">\n'
        l_1_name = missing
        yield '<meta name="citation_publication_date" content="'
        yield escape(t_2(context.eval_ctx, environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'date'), '-', '/'))
        yield '">\n<meta name="citation_online_date" content="'
        yield escape(t_2(context.eval_ctx, environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'date'), '-', '/'))
        yield '">\n'
        if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'doi'):
            pass
            yield '<meta name="citation_doi" content="'
            yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'doi'))
            yield '">'
        yield '<meta name="citation_public_url" content="'
        yield escape(environment.getattr(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'citation'), 'url'))
        yield '">\n<script type="application/ld+json">'
        yield escape((undefined(name='json_ld') if l_0_json_ld is missing else l_0_json_ld))
        yield '</script>\n'
    yield '<link rel="stylesheet" href="'
    yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'assets/style.css'))
    yield '">\n'
    if (undefined(name='latest') if l_0_latest is missing else l_0_latest):
        pass
        yield '<link rel="alternate" type="application/atom+xml" title="Releases and new studies" href="'
        yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'feed.xml'))
        yield '">\n'
    yield '<script src="'
    yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'assets/site.js'))
    yield '" defer></script>\n</head>\n<body>\n<a class="skip" href="#main">Skip to content</a>\n<header class="site-header">\n'
    if (not environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release')):
        pass
        yield '<div class="banner banner-draft" role="note"><strong>Draft edition.</strong> '
        if (undefined(name='latest') if l_0_latest is missing else l_0_latest):
            pass
            if (undefined(name='draft_changed') if l_0_draft_changed is missing else l_0_draft_changed):
                pass
                yield 'Changes not yet released (<a href="'
                yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'changelog.html'))
                yield '#draft">what changed</a>)'
            else:
                pass
                yield 'No change since the latest release'
            yield '; the latest citable release is <a href="'
            yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr((undefined(name='latest') if l_0_latest is missing else l_0_latest), 'prefix') + 'index.html')))
            yield '">version '
            yield escape(environment.getattr((undefined(name='latest') if l_0_latest is missing else l_0_latest), 'label'))
            yield '</a>'
        else:
            pass
            yield 'No release has been made yet, so these pages are not yet citable'
        yield '.</div>\n'
    elif (not environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_latest')):
        pass
        yield '<div class="banner banner-old" role="note">You are reading version '
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'label'))
        yield ' ('
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'date'))
        yield '). The latest release is <a href="'
        yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr((undefined(name='latest') if l_0_latest is missing else l_0_latest), 'prefix') + 'index.html')))
        yield '">version '
        yield escape(environment.getattr((undefined(name='latest') if l_0_latest is missing else l_0_latest), 'label'))
        yield '</a>.</div>\n'
    yield '  <div class="wrap header-row">\n    <a class="site-title" href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'index.html'))
    yield '">'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))
    yield '</a>\n    <nav aria-label="Main">\n      <ul class="nav">\n        <li><a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'studies/index.html'))
    yield '"'
    if context.call(environment.getattr((undefined(name='this_path') if l_0_this_path is missing else l_0_this_path), 'startswith'), (environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'prefix') + 'studies/')):
        pass
        yield ' aria-current="page"'
    yield '>Studies</a></li>\n'
    for l_1_item in (undefined(name='nav') if l_0_nav is missing else l_0_nav):
        _loop_vars = {}
        pass
        yield '        <li><a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), (environment.getattr(l_1_item, 'slug') + '.html'), _loop_vars=_loop_vars))
        yield '"'
        if ((undefined(name='this_path') if l_0_this_path is missing else l_0_this_path) == ((environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'prefix') + environment.getattr(l_1_item, 'slug')) + '.html')):
            pass
            yield ' aria-current="page"'
        yield '>'
        yield escape(environment.getattr(l_1_item, 'title'))
        yield '</a></li>\n'
    l_1_item = missing
    yield '      </ul>\n    </nav>\n'
    if (t_1((undefined(name='editions') if l_0_editions is missing else l_0_editions)) > 1):
        pass
        yield '    <form class="versions" action="#" data-version-switcher>\n      <label for="version-select">Version</label>\n      <select id="version-select" name="version">\n'
        for l_1_other in t_3((undefined(name='editions') if l_0_editions is missing else l_0_editions)):
            l_1_same_page = resolve('same_page')
            _loop_vars = {}
            pass
            yield '        <option value="'
            yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr(l_1_other, 'prefix') + context.call((undefined(name='same_page') if l_1_same_page is missing else l_1_same_page), l_1_other, _loop_vars=_loop_vars)), _loop_vars=_loop_vars))
            yield '" data-edition="'
            yield escape(environment.getattr(l_1_other, 'label'))
            yield '"'
            if (environment.getattr(l_1_other, 'label') == environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'label')):
                pass
                yield ' selected'
            yield '>'
            if environment.getattr(l_1_other, 'is_release'):
                pass
                yield escape(environment.getattr(l_1_other, 'label'))
                if environment.getattr(l_1_other, 'is_latest'):
                    pass
                    yield ' (latest)'
            else:
                pass
                yield 'draft'
            yield '</option>\n'
        l_1_other = l_1_same_page = missing
        yield '      </select>\n      <noscript><ul class="version-links">'
        for l_1_other in t_3((undefined(name='editions') if l_0_editions is missing else l_0_editions)):
            l_1_same_page = resolve('same_page')
            _loop_vars = {}
            pass
            yield '<li><a href="'
            yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), (environment.getattr(l_1_other, 'prefix') + context.call((undefined(name='same_page') if l_1_same_page is missing else l_1_same_page), l_1_other, _loop_vars=_loop_vars)), _loop_vars=_loop_vars))
            yield '">'
            yield escape(environment.getattr(l_1_other, 'label'))
            yield '</a></li>'
        l_1_other = l_1_same_page = missing
        yield '</ul></noscript>\n    </form>\n'
    yield '  </div>\n</header>\n<main id="main" class="wrap">\n'
    yield from context.blocks['main'][0](context)
    yield '</main>\n<footer class="site-footer">\n  <div class="wrap">\n    <p>'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield '. '
    if environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'is_release'):
        pass
        yield 'Version '
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'label'))
        yield ', '
        yield escape(environment.getattr((undefined(name='edition') if l_0_edition is missing else l_0_edition), 'date'))
        yield '.'
    else:
        pass
        yield 'Draft edition.'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'licence_text'):
        pass
        yield ' Text '
        yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'licence_text'))
        if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'licence_data'):
            pass
            yield ', data '
            yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'licence_data'))
        yield '.'
    yield ' '
    yield escape((undefined(name='attribution') if l_0_attribution is missing else l_0_attribution))
    yield '</p>\n    <p>'
    if (undefined(name='baseline') if l_0_baseline is missing else l_0_baseline):
        pass
        yield '<a href="'
        yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'consistency.html'))
        yield '">Published and current figures</a> · '
    yield '<a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'agreement.html'))
    yield '">Coder agreement</a> · <a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'references.html'))
    yield '">References</a> · <a href="'
    yield escape(context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'data/studies.csv'))
    yield '">Data (CSV)</a> · <a href="'
    yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'changelog.html'))
    yield '">Changelog</a>'
    if (undefined(name='latest') if l_0_latest is missing else l_0_latest):
        pass
        yield ' · <a href="'
        yield escape(context.call((undefined(name='site_url') if l_0_site_url is missing else l_0_site_url), 'feed.xml'))
        yield '">Feed</a>'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'repository'):
        pass
        yield ' · <a href="'
        yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'repository'))
        yield '">Source</a>'
    yield '</p>\n  </div>\n</footer>\n</body>\n</html>\n'

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    pass
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_description(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    pass
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'description'))

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

blocks = {'title': block_title, 'description': block_description, 'main': block_main}
debug_info = '2=44&6=46&7=55&9=57&10=60&12=62&13=65&14=67&15=71&17=75&18=77&19=79&20=85&21=87&23=90&24=92&25=95&27=98&33=100&34=103&35=122&36=125&39=134&42=138&43=144&44=148&48=158&52=161&53=166&56=186&62=198&66=200&67=224&6=250&7=261&62=272'